//! Organizations: everyone on one domain, unmanaged until one of them proves the domain and buys
//! licenses. This module alone decides what "managed" and "admin" mean: the status and role enums,
//! locking an unmanaged organization, making it managed with one member its admin, and the
//! guards that let only admins through.

use serde::{Deserialize, Serialize};

mod api;
pub mod service;
mod ui;

pub use api::*;
#[cfg(feature = "ssr")]
pub use service::Admin;
pub use ui::organization_resource;

/// Whether someone administers the organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrganizationStatus {
    /// Grouped by domain; nobody has proven the domain and bought licenses yet.
    Unmanaged,
    /// An admin proved the domain and pays for licenses.
    Managed,
}

impl OrganizationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrganizationStatus::Unmanaged => "unmanaged",
            OrganizationStatus::Managed => "managed",
        }
    }

    /// The stored value; the schema's check constraint allows no other.
    pub fn parse(value: &str) -> Option<Self> {
        [OrganizationStatus::Unmanaged, OrganizationStatus::Managed]
            .into_iter()
            .find(|status| status.as_str() == value)
    }
}

/// What a member may do in their organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Member,
    /// Administers everything in a managed organization.
    GlobalAdmin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::GlobalAdmin => "global_admin",
        }
    }

    /// The stored value; the schema's check constraint allows no other.
    pub fn parse(value: &str) -> Option<Self> {
        [Role::Member, Role::GlobalAdmin]
            .into_iter()
            .find(|role| role.as_str() == value)
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

    /// The signed-in member administers it.
    pub fn administered_by_viewer(&self) -> bool {
        self.managed() && self.role == Role::GlobalAdmin
    }
}
