//! The people list as its page first asks for it.

use app::people::ListPeople;

/// The first page of everyone, with no search, filter or sort chosen.
pub fn list_people() -> ListPeople {
    ListPeople {
        search: String::new(),
        license: String::new(),
        role: String::new(),
        status: String::new(),
        sort: String::new(),
        after: String::new(),
    }
}
