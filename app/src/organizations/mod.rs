//! Organizations: everyone on one domain, unmanaged until one of them proves the domain and buys
//! licenses. This module alone decides what "managed" and "admin" mean: the status and role enums,
//! locking an unmanaged organization, making it managed with one member its admin, and the
//! guards that let only admins through.

use serde::{Deserialize, Serialize};

use crate::core::stored::stored_enum;

mod api;
pub mod service;
mod ui;

pub use api::*;
#[cfg(feature = "ssr")]
pub use service::{Admin, AnyAdmin, BillingAdmin, UserAdmin};
pub use ui::organization_resource;

stored_enum! {
    /// Whether someone administers the organization.
    pub enum OrganizationStatus {
        /// Grouped by domain; nobody has proven the domain and bought licenses yet.
        Unmanaged = "unmanaged",
        /// An admin proved the domain and pays for licenses.
        Managed = "managed",
    }
}

stored_enum! {
    /// What a member may do in their organization.
    pub enum Role {
        Member = "member",
        /// Administers everything in a managed organization.
        GlobalAdmin = "global_admin",
        /// Licenses, orders, invoices and plans.
        BillingAdmin = "billing_admin",
        /// People, invitations, password resets of non-admins, devices.
        UserAdmin = "user_admin",
    }
}

impl Role {
    /// May manage people: add, remove, reset, block, contact, license.
    pub fn manages_people(self) -> bool {
        matches!(self, Role::GlobalAdmin | Role::UserAdmin)
    }

    /// May buy and give back licenses and read orders and invoices.
    pub fn manages_billing(self) -> bool {
        matches!(self, Role::GlobalAdmin | Role::BillingAdmin)
    }

    /// Holds any admin role.
    pub fn is_admin(self) -> bool {
        self != Role::Member
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
