//! Organizations: everyone on one domain, unmanaged until one of them proves the domain and buys
//! licenses. This module decides what "managed" and who is an admin mean: the status enum,
//! locking an unmanaged organization, making it managed with one member its admin, and the
//! guards that let only admins through. `Role` and what each role may do are in `domain`, since
//! the signed-in member, read below this layer, carries theirs; they are re-exported here.

use serde::{Deserialize, Serialize};

use crate::core::stored::stored_enum;

mod api;
pub mod service;
mod ui;

/// Defined below this layer, since every signed-in member carries theirs.
pub use crate::domain::Role;
pub use api::*;
#[cfg(feature = "ssr")]
pub use service::{Admin, AnyAdmin, BillingAdmin, UserAdmin};
pub use ui::{organization_resource, AdminNav};

stored_enum! {
    /// Whether someone administers the organization.
    pub enum OrganizationStatus {
        /// Grouped by domain; nobody has proven the domain and bought licenses yet.
        Unmanaged = "unmanaged",
        /// An admin proved the domain and pays for licenses.
        Managed = "managed",
    }
}

/// The signed-in member's organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationView {
    /// In Unicode, as people read it.
    pub domain: String,
    pub status: OrganizationStatus,
    /// Everyone who has signed up on the domain.
    pub member_count: i64,
    /// The signed-in member's role in it.
    pub role: Role,
    /// Whom its members ask for a license or a change, once it is managed: "Kim Akers
    /// (kim@contoso.com)".
    pub admin: Option<String>,
}

impl OrganizationView {
    pub fn managed(&self) -> bool {
        self.status == OrganizationStatus::Managed
    }

    /// The signed-in member administers it, in any admin role.
    pub fn administered_by_viewer(&self) -> bool {
        self.managed() && self.role.is_admin()
    }
}

/// The admin center's pages below its home, each open to the roles its server functions accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminPage {
    People,
    Contact,
    Licenses,
    Invoices,
    Domains,
    Policies,
    Audit,
}

impl AdminPage {
    /// The page at `path`, by its first part after `/admin/`.
    pub fn at(path: &str) -> Option<Self> {
        let section = path.strip_prefix("/admin/")?.split('/').next()?;
        Some(match section {
            "people" => AdminPage::People,
            "contact" => AdminPage::Contact,
            "licenses" => AdminPage::Licenses,
            "invoices" => AdminPage::Invoices,
            "domains" => AdminPage::Domains,
            "policies" => AdminPage::Policies,
            "audit" => AdminPage::Audit,
            _ => return None,
        })
    }

    pub fn path(self) -> &'static str {
        match self {
            AdminPage::People => "/admin/people",
            AdminPage::Contact => "/admin/contact",
            AdminPage::Licenses => "/admin/licenses",
            AdminPage::Invoices => "/admin/invoices",
            AdminPage::Domains => "/admin/domains",
            AdminPage::Policies => "/admin/policies",
            AdminPage::Audit => "/admin/audit",
        }
    }

    /// Whether someone with `role` may open it.
    pub fn open_to(self, role: Role) -> bool {
        match self {
            AdminPage::People | AdminPage::Contact => role.manages_people(),
            AdminPage::Licenses | AdminPage::Invoices => role.manages_billing(),
            AdminPage::Domains | AdminPage::Policies | AdminPage::Audit => role.is_global_admin(),
        }
    }
}
