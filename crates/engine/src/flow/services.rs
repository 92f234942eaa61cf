//! Which ports are services (listened on) rather than ephemeral.

use super::Transport;

/// Decides which ports are services (listened on) rather than ephemeral,
/// to pick the initiator of a flow seen from the middle.
pub trait ServicePorts {
    fn is_service(&self, transport: Transport, port: u16) -> bool;
}

/// Ports below 1024 plus a short list of registered conferencing and AV
/// service ports; used when no rules say more.
#[derive(Clone, Copy, Debug, Default)]
pub struct WellKnownPorts;

/// Registered ports of services common on AV and conferencing networks
/// (IANA): H.323 1718-1720, STUN 3478, SIP 5060/5061, RTP/AVP 5004/5005,
/// mDNS 5353, SAP 9875, HTTP alternates 8080/8443, Dante ARC/CMC 4440/8800.
const REGISTERED: &[u16] = &[
    1718, 1719, 1720, 3478, 5004, 5005, 5060, 5061, 5349, 5353, 8080, 8443, 9875, 4440, 8800,
];

/// Well-known ports that clients, not servers, use: the DHCP client 68
/// and the DHCPv6 client 546 (RFC 2131, RFC 8415). A reply from 67 to 68 is
/// then seen as the server's answer, as Zeek's DHCP analyzer sees it.
const CLIENT_PORTS: &[u16] = &[68, 546];

impl ServicePorts for WellKnownPorts {
    fn is_service(&self, _transport: Transport, port: u16) -> bool {
        (port < 1024 && !CLIENT_PORTS.contains(&port)) || REGISTERED.contains(&port)
    }
}

/// The destination ports of a rule set (rules covering at most
/// [`PortSet::MAX_RULE_PORTS`] ports) plus the well-known ones: a port in
/// the set is where a server listens.
#[derive(Clone, Debug)]
pub struct PortSet {
    tcp: Vec<u64>,
    udp: Vec<u64>,
}

impl PortSet {
    /// Rules wider than this (RTP ranges, "ephemeral") do not make a port a service.
    pub const MAX_RULE_PORTS: u32 = 1024;

    /// The well-known ports and every destination port of `rules`' narrow rules.
    pub fn from_rules(rules: &portmatrix_rules::RuleSet) -> PortSet {
        let mut set = PortSet {
            tcp: vec![0; 1024],
            udp: vec![0; 1024],
        };
        for p in 0..=u16::MAX {
            if WellKnownPorts.is_service(Transport::Tcp, p) {
                set.insert(Transport::Tcp, p);
                set.insert(Transport::Udp, p);
            }
        }
        for rule in rules.rules() {
            if rule.destination_ports.port_count() > Self::MAX_RULE_PORTS {
                continue;
            }
            // A rule's destination may be the DHCP client port (replies
            // 67 -> 68); it stays a client port for choosing the initiator.
            if rule
                .destination_ports
                .ranges()
                .iter()
                .all(|r| (r.low..=r.high).all(|p| CLIENT_PORTS.contains(&p)))
            {
                continue;
            }
            for range in rule.destination_ports.ranges() {
                for p in range.low..=range.high {
                    if rule.transport.contains(portmatrix_rules::Transport::Tcp) {
                        set.insert(Transport::Tcp, p);
                    }
                    if rule.transport.contains(portmatrix_rules::Transport::Udp) {
                        set.insert(Transport::Udp, p);
                    }
                }
            }
        }
        set
    }

    fn insert(&mut self, t: Transport, p: u16) {
        let bits = match t {
            Transport::Tcp => &mut self.tcp,
            _ => &mut self.udp,
        };
        bits[usize::from(p) / 64] |= 1 << (p % 64);
    }
}

impl ServicePorts for PortSet {
    fn is_service(&self, t: Transport, port: u16) -> bool {
        let bits = match t {
            Transport::Tcp => &self.tcp,
            Transport::Udp => &self.udp,
            _ => return port < 1024,
        };
        bits[usize::from(port) / 64] & (1 << (port % 64)) != 0
    }
}

/// True when the sender's port looks like the service and the receiver's does not.
pub(crate) fn server_side(
    t: Transport,
    sport: u16,
    dport: u16,
    services: &dyn ServicePorts,
) -> bool {
    services.is_service(t, sport) && !services.is_service(t, dport)
}
