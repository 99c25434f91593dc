//! A member's role, as the database stores it, and what each role may do. The admin guards that
//! apply it are in `organizations`.

use crate::core::stored::stored_enum;

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
    /// Administers everything: domains, policies, roles and the audit log.
    pub fn is_global_admin(self) -> bool {
        self == Role::GlobalAdmin
    }

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
