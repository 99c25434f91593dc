-- Whether a session is still live: seen within the idle limit, younger than the longest a
-- session may last, and, where the organization's policy sets one, younger than a device's
-- limit. One definition for the check at each request and for the sweep of expired sessions,
-- so that the two cannot drift apart. Stable, not immutable: subtracting days from a timestamptz
-- depends on the time zone.
create function session_is_live(
    last_seen_at timestamptz,
    created_at timestamptz,
    now timestamptz,
    idle_minutes int,
    max_hours int,
    device_days int
) returns boolean
language sql stable parallel safe
return last_seen_at > now - idle_minutes * interval '1 minute'
   and created_at > now - max_hours * interval '1 hour'
   and (device_days is null or created_at > now - device_days * interval '1 day');
