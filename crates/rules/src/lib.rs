//! Vendor port rule sets and the site inventory.
