-- Past its limit, an address's sign-ins take turns, each a delay after the one before, instead of
-- each waiting the delay on its own: side by side, any number of guesses waited the same few
-- seconds at once.
alter table throttles add column next_turn_at timestamptz;
