//! PTP across the capture, per domain: grandmasters over time, Sync and
//! Announce rates, the delay mechanism, the clocks in each domain, and the
//! capture-level findings (`docs/verdicts.md`, "PTP findings").
//!
//! Fed on the flow thread, in capture order, with every PTP sample
//! ([`Tracker::observe`]); memory is bounded by the caps below.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Serialize;

use super::PtpSample;
use super::{clock_text, mac_text, Domain, DomainReport, Grandmaster, GrandmasterReport, Kind};
use crate::classify::Finding;
use crate::flow::Endpoint;
use crate::time::rfc3339_ns;

/// Most domains followed (more are counted in `dropped_domains`).
const DOMAINS_CAP: usize = 64;
/// Most clocks listed per domain.
const CLOCKS_CAP: usize = 64;
/// Most grandmasters followed per domain.
const GRANDMASTERS_CAP: usize = 16;
/// Most periods kept per grandmaster (the last one grows past the cap).
const PERIODS_CAP: usize = 32;
/// announceReceiptTimeout of the default profiles: 3 announce intervals
/// (IEEE 1588-2008 Annex J.3, AES67, ST 2059-2).
const RECEIPT_TIMEOUT_INTERVALS: i64 = 3;
/// The announce interval assumed when a message gives none (log 1 = 2 s,
/// IEEE 1588-2008 Annex J.3).
const DEFAULT_LOG_INTERVAL: i8 = 1;

/// Messages of one kind, for a rate.
#[derive(Clone, Copy, Debug, Default)]
struct Rate {
    messages: u64,
    first_ns: i64,
    last_ns: i64,
    log_interval: Option<i8>,
}

impl Rate {
    fn add(&mut self, ts: i64, log_interval: i8) {
        if self.messages == 0 {
            self.first_ns = ts;
        }
        self.messages += 1;
        self.last_ns = self.last_ns.max(ts);
        if log_interval != 0x7f {
            self.log_interval = Some(log_interval);
        }
    }

    fn report(&self, clock: String) -> RateReport {
        let span = self.last_ns.saturating_sub(self.first_ns);
        RateReport {
            clock,
            messages: self.messages,
            per_second: (self.messages >= 2 && span > 0).then(|| {
                let r = (self.messages - 1) as f64 * 1e9 / span as f64;
                (r * 1000.0).round() / 1000.0
            }),
            log_interval: self.log_interval,
        }
    }
}

/// A time span during which a grandmaster was announced without a gap of
/// more than its receipt timeout.
#[derive(Clone, Copy, Debug)]
struct Period {
    first_ns: i64,
    last_ns: i64,
    messages: u64,
}

/// One grandmaster of a domain.
#[derive(Clone, Debug)]
struct GmTrack {
    /// Its data as last announced.
    gm: Grandmaster,
    id: [u8; 8],
    /// announceReceiptTimeout from its announce interval, ns.
    timeout_ns: i64,
    periods: Vec<Period>,
    /// Clocks that announced it (the first few).
    senders: Vec<[u8; 8]>,
}

/// One domain of one PTP version.
#[derive(Clone, Debug)]
struct DomainTrack {
    version: u8,
    domain: Domain,
    first_ns: i64,
    last_ns: i64,
    counts: [u64; Kind::COUNT],
    /// Sync and Announce per sending clock (index in `clocks`).
    sync: Vec<(usize, Rate)>,
    announce: Vec<(usize, Rate)>,
    clocks: Vec<[u8; 8]>,
    grandmasters: Vec<GmTrack>,
    /// Where peer-delay messages went (addresses as text).
    pdelay_to: Vec<String>,
}

/// Every PTP message of a capture, per domain.
#[derive(Clone, Debug, Default)]
pub struct Tracker {
    domains: Vec<DomainTrack>,
    /// Messages per version (1, 2).
    versions: [u64; 2],
    wrong_port: u64,
    dropped_domains: u64,
}

fn interval_ns(log: i8) -> i64 {
    let log = if (-7..=7).contains(&log) {
        log
    } else {
        DEFAULT_LOG_INTERVAL
    };
    if log >= 0 {
        1_000_000_000i64 << log
    } else {
        1_000_000_000i64 >> (-log)
    }
}

fn gm_id(gm: &Grandmaster) -> [u8; 8] {
    match gm {
        Grandmaster::V2 { identity, .. } => *identity,
        Grandmaster::V1 { uuid, .. } => {
            let mut id = [0u8; 8];
            id[..6].copy_from_slice(uuid);
            id
        }
    }
}

fn address_text(e: &Endpoint) -> String {
    match e.mac() {
        Some(m) => mac_text(&m),
        None => match e.ip {
            IpAddr::V4(a) => a.to_string(),
            IpAddr::V6(a) => a.to_string(),
        },
    }
}

impl Tracker {
    /// One PTP message at capture time `ts_ns`, sent to `dst` (its flow's
    /// receiving endpoint, when the packet belongs to a flow).
    pub fn observe(&mut self, ts_ns: i64, s: &PtpSample, dst: Option<&Endpoint>) {
        self.versions[usize::from(s.version == 2)] += 1;
        if s.wrong_port() {
            self.wrong_port += 1;
        }
        let i = match self
            .domains
            .iter()
            .position(|d| d.version == s.version && d.domain == s.domain)
        {
            Some(i) => i,
            None if self.domains.len() < DOMAINS_CAP => {
                self.domains.push(DomainTrack {
                    version: s.version,
                    domain: s.domain,
                    first_ns: ts_ns,
                    last_ns: ts_ns,
                    counts: [0; Kind::COUNT],
                    sync: Vec::new(),
                    announce: Vec::new(),
                    clocks: Vec::new(),
                    grandmasters: Vec::new(),
                    pdelay_to: Vec::new(),
                });
                self.domains.len() - 1
            }
            None => {
                self.dropped_domains += 1;
                return;
            }
        };
        let d = &mut self.domains[i];
        d.first_ns = d.first_ns.min(ts_ns);
        d.last_ns = d.last_ns.max(ts_ns);
        d.counts[s.kind.index()] += 1;
        if d.clocks.len() < CLOCKS_CAP && !d.clocks.contains(&s.clock) {
            d.clocks.push(s.clock);
        }
        let rates = match s.kind {
            Kind::Sync => Some(&mut d.sync),
            Kind::Announce => Some(&mut d.announce),
            _ => None,
        };
        if let (Some(rates), Some(c)) = (rates, d.clocks.iter().position(|c| *c == s.clock)) {
            match rates.iter_mut().find(|(i, _)| *i == c) {
                Some((_, r)) => r.add(ts_ns, s.log_interval),
                None => {
                    let mut r = Rate::default();
                    r.add(ts_ns, s.log_interval);
                    rates.push((c, r));
                }
            }
        }
        if s.kind.is_peer_delay() {
            if let Some(e) = dst {
                let a = address_text(e);
                if d.pdelay_to.len() < 4 && !d.pdelay_to.contains(&a) {
                    d.pdelay_to.push(a);
                }
            }
        }
        if let Some(gm) = s.grandmaster {
            let id = gm_id(&gm);
            let timeout_ns = RECEIPT_TIMEOUT_INTERVALS * interval_ns(s.log_interval);
            let g = match d.grandmasters.iter().position(|g| g.id == id) {
                Some(g) => Some(g),
                None if d.grandmasters.len() < GRANDMASTERS_CAP => {
                    d.grandmasters.push(GmTrack {
                        gm,
                        id,
                        timeout_ns,
                        periods: Vec::new(),
                        senders: Vec::new(),
                    });
                    Some(d.grandmasters.len() - 1)
                }
                None => None,
            };
            if let Some(g) = g.and_then(|g| d.grandmasters.get_mut(g)) {
                g.gm = gm;
                g.timeout_ns = timeout_ns;
                if g.senders.len() < 8 && !g.senders.contains(&s.clock) {
                    g.senders.push(s.clock);
                }
                let extend = g.periods.last().is_some_and(|p| {
                    ts_ns.saturating_sub(p.last_ns) <= timeout_ns || g.periods.len() >= PERIODS_CAP
                });
                match g.periods.last_mut() {
                    Some(p) if extend => {
                        p.last_ns = p.last_ns.max(ts_ns);
                        p.messages += 1;
                    }
                    _ => g.periods.push(Period {
                        first_ns: ts_ns,
                        last_ns: ts_ns,
                        messages: 1,
                    }),
                }
            }
        }
    }

    /// True when no PTP message was seen.
    pub fn is_empty(&self) -> bool {
        self.versions == [0, 0]
    }

    /// The report, `None` when the capture carried no PTP.
    pub fn report(&self) -> Option<PtpReport> {
        if self.is_empty() {
            return None;
        }
        let mut domains: Vec<&DomainTrack> = self.domains.iter().collect();
        domains.sort_by_key(|d| (d.version, d.domain));
        let mut by_gm = Vec::new();
        for d in &domains {
            grandmaster_findings(d, &mut by_gm);
        }
        let mut findings: Vec<Finding> = by_gm.into_iter().map(|(f, _)| f).collect();
        self.network_findings(&domains, &mut findings);
        Some(PtpReport {
            versions: [1u8, 2]
                .into_iter()
                .filter(|v| self.versions[usize::from(*v == 2)] > 0)
                .collect(),
            messages: self.versions[0] + self.versions[1],
            wrong_port: self.wrong_port,
            dropped_domains: self.dropped_domains,
            domains: domains.iter().map(|d| domain_report(d)).collect(),
            findings,
        })
    }

    /// The capture-level findings that concern one flow: the grandmaster
    /// findings of a domain for the flows that announced one of the
    /// grandmasters concerned, and `ptp-domains-differ` for every flow of a
    /// version whose clocks are in several domains, naming the flow's
    /// domain and the others.
    pub fn flow_findings(&self, s: &super::PtpState) -> Vec<Finding> {
        let mut out = Vec::new();
        let announced: Vec<[u8; 8]> = s.grandmasters().iter().map(gm_id).collect();
        for d in self
            .domains
            .iter()
            .filter(|d| s.domains().contains(&d.domain))
        {
            let mut by_gm = Vec::new();
            grandmaster_findings(d, &mut by_gm);
            for (f, ids) in by_gm {
                if ids.iter().any(|id| announced.contains(id)) {
                    out.push(f);
                }
            }
        }
        for v in [1u8, 2] {
            let of_v: Vec<&DomainTrack> = self.domains.iter().filter(|d| d.version == v).collect();
            let (mine, others): (Vec<&DomainTrack>, Vec<&DomainTrack>) =
                of_v.iter().partition(|d| s.domains().contains(&d.domain));
            if mine.is_empty() || others.is_empty() {
                continue;
            }
            let list = |ds: &[&DomainTrack]| {
                ds.iter()
                    .map(|d| format!("{} ({} clock(s))", d.domain.report(), d.clocks.len()))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            out.push(Finding {
                kind: "ptp-domains-differ",
                detail: format!(
                    "this flow's PTPv{v} is in domain {}, other PTPv{v} clocks of the capture in {}; clocks in different domains do not synchronise to each other",
                    list(&mine),
                    list(&others)
                ),
            });
        }
        out
    }

    fn network_findings(&self, domains: &[&DomainTrack], out: &mut Vec<Finding>) {
        if self.versions[0] > 0 && self.versions[1] > 0 {
            let list = |v: u8| {
                domains
                    .iter()
                    .filter(|d| d.version == v)
                    .map(|d| d.domain.report().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            out.push(Finding {
                kind: "ptp-versions-mixed",
                detail: format!(
                    "PTPv1 ({} message(s), subdomain(s) {}) and PTPv2 ({} message(s), domain(s) {}) on the same network; the versions do not interoperate, so clocks of one version follow the other only through a device that bridges them",
                    self.versions[0],
                    list(1),
                    self.versions[1],
                    list(2)
                ),
            });
        }
        for v in [1u8, 2] {
            let of_v: Vec<&&DomainTrack> = domains.iter().filter(|d| d.version == v).collect();
            if of_v.len() < 2 {
                continue;
            }
            let parts: Vec<String> = of_v
                .iter()
                .map(|d| {
                    let clocks: Vec<String> =
                        d.clocks.iter().take(3).map(|c| clock_text(v, c)).collect();
                    let more = if d.clocks.len() > 3 {
                        format!(", +{}", d.clocks.len() - 3)
                    } else {
                        String::new()
                    };
                    format!(
                        "{} ({} clock(s): {}{more})",
                        d.domain.report(),
                        d.clocks.len(),
                        clocks.join(", ")
                    )
                })
                .collect();
            out.push(Finding {
                kind: "ptp-domains-differ",
                detail: format!(
                    "PTPv{v} clocks in {} different domains: {}; clocks in different domains do not synchronise to each other",
                    of_v.len(),
                    parts.join("; ")
                ),
            });
        }
        if self.wrong_port > 0 {
            out.push(Finding {
                kind: "ptp-wrong-port",
                detail: format!(
                    "{} PTP message(s) sent to the UDP port of the other class (event messages belong on 319, general messages on 320); see the flows' findings",
                    self.wrong_port
                ),
            });
        }
    }
}

/// Two grandmasters announced at the same time (their periods overlap by
/// more than a receipt timeout), and changes of grandmaster (a period of
/// one begins after the other's, or overlaps it by less).
fn grandmaster_findings(d: &DomainTrack, out: &mut Vec<(Finding, Vec<[u8; 8]>)>) {
    let name = d.domain.report();
    let mut periods: Vec<(usize, Period)> = d
        .grandmasters
        .iter()
        .enumerate()
        .flat_map(|(i, g)| g.periods.iter().map(move |p| (i, *p)))
        .collect();
    periods.sort_by_key(|(i, p)| (p.first_ns, *i));
    let gm = |i: usize| d.grandmasters[i].gm.identity_text();
    let mut concurrent: Vec<(usize, usize, i64, i64)> = Vec::new();
    for (a, (ia, pa)) in periods.iter().enumerate() {
        for (ib, pb) in periods.iter().skip(a + 1) {
            if ia == ib {
                continue;
            }
            let (from, to) = (pa.first_ns.max(pb.first_ns), pa.last_ns.min(pb.last_ns));
            let timeout = d.grandmasters[*ia]
                .timeout_ns
                .max(d.grandmasters[*ib].timeout_ns);
            let pair = ((*ia).min(*ib), (*ia).max(*ib));
            if to.saturating_sub(from) > timeout && !concurrent.iter().any(|c| (c.0, c.1) == pair) {
                concurrent.push((pair.0, pair.1, from, to));
            }
        }
    }
    for (a, b, from, to) in &concurrent {
        let ids = vec![d.grandmasters[*a].id, d.grandmasters[*b].id];
        out.push((Finding {
            kind: "ptp-two-grandmasters",
            detail: format!(
                "PTPv{} domain {name}: grandmasters {} and {} were both announced from {} to {} ({:.1} s, longer than the announce receipt timeout); every clock of a domain should follow one grandmaster",
                d.version,
                gm(*a),
                gm(*b),
                rfc3339_ns(*from),
                rfc3339_ns(*to),
                (to - from) as f64 / 1e9
            ),
        }, ids));
    }
    // The grandmaster changes when another one's period begins and
    // outlasts the current one's; a period that ends first is a transient
    // (a clock announcing itself until the best master clock algorithm
    // made it a slave) and changes nothing.
    let mut changes = Vec::new();
    let mut ids = Vec::new();
    let mut current: Option<(usize, i64)> = None;
    for (g, p) in &periods {
        match current {
            Some((c, last)) if c == *g => current = Some((c, last.max(p.last_ns))),
            Some((c, last)) if p.last_ns > last => {
                let pair = (c.min(*g), c.max(*g));
                if !concurrent.iter().any(|x| (x.0, x.1) == pair) {
                    for i in [c, *g] {
                        if !ids.contains(&d.grandmasters[i].id) {
                            ids.push(d.grandmasters[i].id);
                        }
                    }
                    changes.push(format!(
                        "{} -> {} at {}",
                        gm(c),
                        gm(*g),
                        rfc3339_ns(p.first_ns)
                    ));
                }
                current = Some((*g, p.last_ns));
            }
            Some(_) => {}
            None => current = Some((*g, p.last_ns)),
        }
    }
    if !changes.is_empty() {
        let n = changes.len();
        let more = if n > 5 {
            format!(" (+{} more)", n - 5)
        } else {
            String::new()
        };
        changes.truncate(5);
        out.push((
            Finding {
                kind: "ptp-grandmaster-change",
                detail: format!(
                    "PTPv{} domain {name}: the grandmaster changed {n} time(s): {}{more}",
                    d.version,
                    changes.join("; ")
                ),
            },
            ids,
        ));
    }
}

/// Rates per sending clock, most messages first.
fn rates(d: &DomainTrack, of: &[(usize, Rate)]) -> Vec<RateReport> {
    let mut v: Vec<RateReport> = of
        .iter()
        .map(|(c, r)| r.report(clock_text(d.version, &d.clocks[*c])))
        .collect();
    v.sort_by(|a, b| b.messages.cmp(&a.messages).then(a.clock.cmp(&b.clock)));
    v
}

fn domain_report(d: &DomainTrack) -> DomainEntry {
    let e2e = d.counts[Kind::DelayReq.index()] + d.counts[Kind::DelayResp.index()];
    let p2p = d.counts[Kind::PdelayReq.index()]
        + d.counts[Kind::PdelayResp.index()]
        + d.counts[Kind::PdelayRespFollowUp.index()];
    DomainEntry {
        version: d.version,
        domain: d.domain.report(),
        first_ts: rfc3339_ns(d.first_ns),
        last_ts: rfc3339_ns(d.last_ns),
        first_ts_ns: d.first_ns,
        last_ts_ns: d.last_ns,
        messages: Kind::ALL
            .iter()
            .filter(|k| d.counts[k.index()] > 0)
            .map(|k| (k.name(), d.counts[k.index()]))
            .collect(),
        clocks: d.clocks.iter().map(|c| clock_text(d.version, c)).collect(),
        sync: rates(d, &d.sync),
        announce: rates(d, &d.announce),
        delay_mechanism: match (e2e > 0, p2p > 0) {
            (true, false) => Some("e2e"),
            (false, true) => Some("p2p"),
            (true, true) => Some("e2e+p2p"),
            (false, false) => None,
        },
        delay_messages: e2e,
        pdelay_messages: p2p,
        pdelay_to: d.pdelay_to.clone(),
        grandmasters: d
            .grandmasters
            .iter()
            .map(|g| GrandmasterEntry {
                grandmaster: GrandmasterReport::of(&g.gm),
                announced_by: g.senders.iter().map(|c| clock_text(d.version, c)).collect(),
                periods: g
                    .periods
                    .iter()
                    .map(|p| PeriodReport {
                        first_ts: rfc3339_ns(p.first_ns),
                        last_ts: rfc3339_ns(p.last_ns),
                        first_ts_ns: p.first_ns,
                        last_ts_ns: p.last_ns,
                        messages: p.messages,
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// PTP in a capture, as reported under the input's `ptp`.
#[derive(Clone, Debug, Serialize)]
pub struct PtpReport {
    /// Versions seen (1, 2).
    pub versions: Vec<u8>,
    /// PTP messages in all.
    pub messages: u64,
    /// Messages sent to the UDP port of the other class.
    pub wrong_port: u64,
    /// Messages of domains beyond the cap of followed domains.
    pub dropped_domains: u64,
    /// Per version and domain.
    pub domains: Vec<DomainEntry>,
    /// Capture-level findings: `ptp-two-grandmasters`,
    /// `ptp-grandmaster-change`, `ptp-versions-mixed`, `ptp-domains-differ`,
    /// `ptp-wrong-port`.
    pub findings: Vec<Finding>,
}

/// One domain of one version.
#[derive(Clone, Debug, Serialize)]
pub struct DomainEntry {
    pub version: u8,
    pub domain: DomainReport,
    pub first_ts: String,
    pub last_ts: String,
    pub first_ts_ns: i64,
    pub last_ts_ns: i64,
    /// Messages per type.
    pub messages: BTreeMap<&'static str, u64>,
    /// Source clocks seen in the domain (devices).
    pub clocks: Vec<String>,
    /// Sync per sending clock, most messages first (the master first).
    pub sync: Vec<RateReport>,
    /// Announce per sending clock, most messages first.
    pub announce: Vec<RateReport>,
    /// `e2e` (Delay_Req/Delay_Resp), `p2p` (Pdelay_*), `e2e+p2p`, or null.
    pub delay_mechanism: Option<&'static str>,
    /// Delay_Req and Delay_Resp messages.
    pub delay_messages: u64,
    /// Pdelay_Req, Pdelay_Resp and Pdelay_Resp_Follow_Up messages.
    pub pdelay_messages: u64,
    /// Where peer-delay messages went (224.0.0.107, ff02::6b,
    /// 01:80:c2:00:00:0e, or a unicast address).
    pub pdelay_to: Vec<String>,
    /// Grandmasters, each with the periods it was announced in.
    pub grandmasters: Vec<GrandmasterEntry>,
}

/// Messages of one type from one clock: how many, their mean rate between
/// the first and the last, and the advertised logMessageInterval.
#[derive(Clone, Debug, Serialize)]
pub struct RateReport {
    /// The sending clock.
    pub clock: String,
    pub messages: u64,
    /// Messages per second ((n - 1) / time from first to last); null with
    /// fewer than two.
    pub per_second: Option<f64>,
    /// The last logMessageInterval given (log2 seconds).
    pub log_interval: Option<i8>,
}

/// A grandmaster of a domain over time.
#[derive(Clone, Debug, Serialize)]
pub struct GrandmasterEntry {
    #[serde(flatten)]
    pub grandmaster: GrandmasterReport,
    /// Clocks whose Announce (v2) or Sync (v1) named it.
    pub announced_by: Vec<String>,
    /// Spans without a gap longer than the announce receipt timeout.
    pub periods: Vec<PeriodReport>,
}

/// A span during which a grandmaster was announced.
#[derive(Clone, Debug, Serialize)]
pub struct PeriodReport {
    pub first_ts: String,
    pub last_ts: String,
    pub first_ts_ns: i64,
    pub last_ts_ns: i64,
    pub messages: u64,
}
