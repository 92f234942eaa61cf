//! The block walk of pcapng (draft-ietf-opsawg-pcapng): framing checks,
//! then one handler per block type, keeping the section's interfaces.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::io::{self, Read};

use crate::endian::{u32_in, Be, ByteOrder, Endian, Le};
use crate::error::{from_io, BlockFault, BodyFault, Error, ErrorKind};
use crate::format::{Interface, TsResolution};
use crate::pcapng::{
    self, enhanced_packet,
    interface_description::{self, Description},
    interface_statistics, packet, section_header, simple_packet,
};

use super::{
    BlockPacket, CaptureReader, Framing, Meta, Step, MAX_BLOCK_LEN, MAX_CAPLEN, MAX_INTERFACES,
    MAX_KEPT_INTERFACES,
};

impl<R: Read> CaptureReader<R> {
    pub(super) fn step_pcapng(&mut self) -> Step {
        loop {
            let off = self.buf.pos();
            let framing = match self.frame() {
                Ok(f) => f,
                Err(e) => {
                    return Step::Error(from_io(&e, self.compressed, off, self.next_number()))
                }
            };
            match framing {
                Framing::End => return Step::End,
                Framing::Short { needed, available } => {
                    let (needed, available) = (needed as usize, available as usize);
                    return self.cut_short(off, "block header", needed, available, available);
                }
                Framing::Fault(fault) => return self.resync_after(off, fault),
                Framing::Block {
                    block_type,
                    len,
                    order,
                } => {
                    let step = match order {
                        ByteOrder::Little => self.block::<Le>(off, block_type, len as usize),
                        ByteOrder::Big => self.block::<Be>(off, block_type, len as usize),
                    };
                    self.buf.consume(len as usize);
                    self.buf.prefetch_next();
                    if let Some(step) = step {
                        return step;
                    }
                }
            }
        }
    }

    /// Checks the framing of the block at the read position and makes the
    /// whole block available in the buffer.
    pub(super) fn frame(&mut self) -> io::Result<Framing> {
        let avail = self.buf.ensure(8)?;
        if avail == 0 {
            return Ok(Framing::End);
        }
        if avail < 8 {
            return Ok(Framing::Short {
                needed: 8,
                available: avail as u64,
            });
        }
        let is_shb = self.buf.peek(4) == pcapng::SHB.to_be_bytes();
        let order = if is_shb {
            let avail = self.buf.ensure(12)?;
            if avail < 12 {
                return Ok(Framing::Short {
                    needed: 12,
                    available: avail as u64,
                });
            }
            let mut bom = [0u8; 4];
            bom.copy_from_slice(&self.buf.peek(12)[section_header::MAGIC_RANGE]);
            match section_header::byte_order(bom) {
                Some(o) => o,
                None => return Ok(Framing::Fault(BlockFault::BadByteOrderMagic(bom))),
            }
        } else {
            self.section.order.unwrap_or(ByteOrder::Little)
        };
        let head = self.buf.peek(8);
        let len = u32_in(order, head, 4);
        let block_type = if is_shb {
            pcapng::SHB
        } else {
            u32_in(order, head, 0)
        };
        if len < pcapng::MIN_BLOCK_LEN {
            return Ok(Framing::Fault(BlockFault::LengthTooSmall(len)));
        }
        if len % 4 != 0 {
            return Ok(Framing::Fault(BlockFault::LengthNotMultipleOf4(len)));
        }
        if len > MAX_BLOCK_LEN {
            return Ok(Framing::Fault(BlockFault::LengthTooLarge {
                len,
                max: MAX_BLOCK_LEN,
            }));
        }
        let n = len as usize;
        let avail = self.buf.ensure(n)?;
        if avail < n {
            return Ok(Framing::Fault(BlockFault::Truncated {
                len,
                available: avail as u64,
            }));
        }
        let trailer = u32_in(order, self.buf.peek(n), n - 4);
        if trailer != len {
            return Ok(Framing::Fault(BlockFault::TrailerMismatch {
                header: len,
                trailer,
            }));
        }
        Ok(Framing::Block {
            block_type,
            len,
            order,
        })
    }

    /// Handles one framing-checked block of `n` bytes at the read position;
    /// the caller consumes it afterwards.
    fn block<E: Endian>(&mut self, off: u64, block_type: u32, n: usize) -> Option<Step> {
        let at = self.buf.index();
        match block_type {
            pcapng::EPB => self.on_epb::<E>(off, at, n),
            pcapng::SPB => self.on_spb::<E>(off, at, n),
            pcapng::IDB => self.on_idb::<E>(off, at, n),
            pcapng::SHB => self.on_shb::<E>(off, n),
            pcapng::ISB => self.on_isb::<E>(off, at, n),
            pcapng::PB => self.on_pb::<E>(off, at, n),
            pcapng::NRB => {
                self.stats.blocks.nrb += 1;
                None
            }
            pcapng::DSB => {
                self.stats.blocks.dsb += 1;
                None
            }
            pcapng::CUSTOM | pcapng::CUSTOM_NO_COPY => {
                self.stats.blocks.custom += 1;
                self.stats.unknown_blocks += 1;
                None
            }
            other => {
                self.stats.count_unknown(other);
                None
            }
        }
    }

    /// A well-framed block with bad content: skipped, reading goes on.
    fn bad_block(
        &mut self,
        off: u64,
        block: &'static str,
        fault: BodyFault,
        n: usize,
        is_packet: bool,
    ) -> Step {
        self.stats.skipped_bytes += n as u64;
        let record = if is_packet {
            self.stats.skipped_records += 1;
            self.next_number()
        } else {
            None
        };
        Step::Error(Error::recoverable(
            off,
            record,
            ErrorKind::BadBlock { block, fault },
        ))
    }

    /// Maps a section-local interface id to the global index. On failure
    /// the block is skipped: with an error for an interface that was never
    /// described, silently (counted) for one beyond the interface limit,
    /// which was reported once at its description.
    fn resolve(
        &mut self,
        id: u32,
        block: &'static str,
        off: u64,
        n: usize,
        is_packet: bool,
    ) -> Result<u32, Option<Step>> {
        let known = match self.section.map.get(id as usize) {
            Some(Some(g)) => return Ok(*g),
            Some(None) => true,
            None => id < self.section.described,
        };
        self.stats.skipped_bytes += n as u64;
        let record = if is_packet {
            self.stats.skipped_records += 1;
            self.next_number()
        } else {
            None
        };
        if known {
            return Err(None);
        }
        Err(Some(Step::Error(Error::recoverable(
            off,
            record,
            ErrorKind::UnknownInterface {
                block,
                interface_id: id,
                section: self.section.number,
                known: self.section.described,
            },
        ))))
    }

    fn packet_limits(
        &mut self,
        off: u64,
        block: &'static str,
        caplen: u32,
        n: usize,
    ) -> Option<Step> {
        (caplen > MAX_CAPLEN).then(|| {
            self.bad_block(
                off,
                block,
                BodyFault::CaplenTooLarge {
                    caplen,
                    max: MAX_CAPLEN,
                },
                n,
                true,
            )
        })
    }

    fn on_epb<E: Endian>(&mut self, off: u64, at: usize, n: usize) -> Option<Step> {
        const NAME: &str = "enhanced packet block";
        self.stats.blocks.epb += 1;
        let p = match enhanced_packet::parse::<E>(self.buf.slice(at, n)) {
            Ok(p) => p,
            Err(fault) => return Some(self.bad_block(off, NAME, fault, n, true)),
        };
        self.stats.bad_options += u64::from(p.bad_options);
        let packet = BlockPacket {
            interface_id: p.interface_id,
            ts: p.ts,
            caplen: p.caplen,
            orig_len: p.orig_len,
            fcs_len: p.fcs_len,
            at: at + enhanced_packet::DATA_OFFSET,
        };
        self.timestamped_packet(NAME, off, n, packet)
    }

    fn on_pb<E: Endian>(&mut self, off: u64, at: usize, n: usize) -> Option<Step> {
        const NAME: &str = "packet block";
        self.stats.blocks.pb += 1;
        let p = match packet::parse::<E>(self.buf.slice(at, n)) {
            Ok(p) => p,
            Err(fault) => return Some(self.bad_block(off, NAME, fault, n, true)),
        };
        let packet = BlockPacket {
            interface_id: u32::from(p.interface_id),
            ts: p.ts,
            caplen: p.caplen,
            orig_len: p.orig_len,
            fcs_len: None,
            at: at + packet::DATA_OFFSET,
        };
        self.timestamped_packet(NAME, off, n, packet)
    }

    /// The record of an enhanced or obsolete packet block `name` of `n`
    /// bytes at file offset `off`, once its body is parsed: the interface
    /// is resolved, the lengths checked, and the record delivered.
    fn timestamped_packet(
        &mut self,
        name: &'static str,
        off: u64,
        n: usize,
        p: BlockPacket,
    ) -> Option<Step> {
        let g = match self.resolve(p.interface_id, name, off, n, true) {
            Ok(g) => g,
            Err(step) => return step,
        };
        if let Some(step) = self.packet_limits(off, name, p.caplen, n) {
            return Some(step);
        }
        let ifc = &self.interfaces[g as usize];
        let meta = Meta {
            at: p.at,
            caplen: p.caplen,
            file_offset: off,
            ts_ns: ifc.ts_ns(p.ts),
            interface: g,
            link_type: ifc.link_type,
            fcs_len: p.fcs_len.unwrap_or(ifc.fcs_len),
            orig_len: p.orig_len,
        };
        let snaplen = ifc.snaplen;
        Some(self.deliver_or_warn(meta, snaplen))
    }

    fn on_spb<E: Endian>(&mut self, off: u64, at: usize, n: usize) -> Option<Step> {
        const NAME: &str = "simple packet block";
        self.stats.blocks.spb += 1;
        let g = match self.resolve(0, NAME, off, n, true) {
            Ok(g) => g,
            Err(step) => return step,
        };
        let snaplen = self.interfaces[g as usize].snaplen;
        let (caplen, orig_len) = match simple_packet::parse::<E>(self.buf.slice(at, n), snaplen) {
            Ok(v) => v,
            Err(fault) => return Some(self.bad_block(off, NAME, fault, n, true)),
        };
        if let Some(step) = self.packet_limits(off, NAME, caplen, n) {
            return Some(step);
        }
        let ifc = &self.interfaces[g as usize];
        // An SPB has no timestamp; it gets the previous record's, so that
        // durations stay meaningful.
        Some(Step::Record(Meta {
            at: at + simple_packet::DATA_OFFSET,
            caplen,
            file_offset: off,
            ts_ns: self.last_ts_ns,
            interface: g,
            link_type: ifc.link_type,
            fcs_len: ifc.fcs_len,
            orig_len,
        }))
    }

    pub(super) fn on_shb<E: Endian>(&mut self, off: u64, n: usize) -> Option<Step> {
        const NAME: &str = "section header block";
        if n < section_header::MIN_LEN as usize {
            let fault = BodyFault::TooShort {
                len: n as u32,
                min: section_header::MIN_LEN,
            };
            return Some(self.bad_block(off, NAME, fault, n, false));
        }
        if let Err(kind) = section_header::parse::<E>(self.buf.peek(n)) {
            return Some(Step::Error(Error::fatal(off, None, kind)));
        }
        if self.section.order.is_some() {
            self.section.number += 1;
        }
        self.section.order = Some(E::ORDER);
        self.section.map.clear();
        self.section.described = 0;
        self.format.note_section_order(E::ORDER);
        self.stats.sections += 1;
        self.stats.blocks.shb += 1;
        None
    }

    fn on_idb<E: Endian>(&mut self, off: u64, at: usize, n: usize) -> Option<Step> {
        const NAME: &str = "interface description block";
        self.stats.blocks.idb += 1;
        let id = self.section.described;
        self.section.described = self.section.described.saturating_add(1);
        let parsed = interface_description::parse::<E>(self.buf.slice(at, n));
        let d = match parsed {
            Ok(d) => d,
            Err(fault) => {
                if self.section.map.len() < MAX_INTERFACES as usize {
                    self.section.map.push(None);
                }
                return Some(self.bad_block(off, NAME, fault, n, false));
            }
        };
        // Interfaces belong to their section (draft-ietf-opsawg-pcapng
        // §4.2): the limit counts this section's descriptions only, and is
        // reported once per file.
        if self.section.map.len() >= MAX_INTERFACES as usize {
            return self.report_limit_once(
                off,
                ErrorKind::TooManyInterfaces {
                    max: MAX_INTERFACES,
                },
            );
        }
        let g = if self.interfaces.len() < MAX_KEPT_INTERFACES as usize {
            let g = self.interfaces.len() as u32;
            let mut ifc = Interface::new(g, self.section.number, id, off);
            ifc.link_type = d.link_type;
            ifc.snaplen = d.snaplen;
            ifc.tsresol = d.tsresol;
            ifc.ts_offset_s = d.ts_offset_s;
            ifc.fcs_len = d.fcs_len;
            ifc.name = d.name;
            ifc.description = d.description;
            self.interfaces.push(ifc);
            g
        } else if let Some(g) = self.kept_like(&d) {
            self.stats.shared_interfaces += 1;
            g
        } else {
            self.section.map.push(None);
            return self.report_limit_once(
                off,
                ErrorKind::InterfaceTableFull {
                    max: MAX_KEPT_INTERFACES,
                },
            );
        };
        self.section.map.push(Some(g));
        self.stats.bad_options += u64::from(d.bad_options);
        d.first_bad_option.map(|(code, fault)| {
            Step::Error(Error::recoverable(
                off,
                None,
                ErrorKind::BadOption {
                    block: NAME,
                    code,
                    fault,
                },
            ))
        })
    }

    /// The first time a limit on interfaces is hit in the file: `kind`.
    /// Later interfaces past either limit are skipped silently, and so are
    /// their packets (counted in `skipped_records`).
    fn report_limit_once(&mut self, off: u64, kind: ErrorKind) -> Option<Step> {
        if self.interface_limit_reported {
            return None;
        }
        self.interface_limit_reported = true;
        Some(Step::Error(Error::recoverable(off, None, kind)))
    }

    /// Once [`MAX_KEPT_INTERFACES`] interfaces are kept: the global index
    /// of a kept interface described exactly as `d` (link type, snapshot
    /// length, timestamp resolution and offset, FCS length, name and
    /// description), so that the packets of one more section of a `cat` of
    /// captures are still read. Its counters then add up both.
    fn kept_like(&mut self, d: &Description) -> Option<u32> {
        let hasher = &self.kept_hasher;
        let index = self.kept_index.get_or_insert_with(|| {
            let mut index = HashMap::with_capacity(self.interfaces.len());
            for ifc in &self.interfaces {
                // The first of identical interfaces gets the packets.
                index
                    .entry(hasher.hash_one(ifc_key(ifc)))
                    .or_insert(ifc.index);
            }
            index
        });
        let g = *index.get(&hasher.hash_one(description_key(d)))?;
        (ifc_key(&self.interfaces[g as usize]) == description_key(d)).then_some(g)
    }

    fn on_isb<E: Endian>(&mut self, off: u64, at: usize, n: usize) -> Option<Step> {
        const NAME: &str = "interface statistics block";
        self.stats.blocks.isb += 1;
        let s = match interface_statistics::parse::<E>(self.buf.slice(at, n)) {
            Ok(s) => s,
            Err(fault) => return Some(self.bad_block(off, NAME, fault, n, false)),
        };
        let g = match self.resolve(s.interface_id, NAME, off, n, false) {
            Ok(g) => g,
            Err(step) => return step,
        };
        let ifc = &mut self.interfaces[g as usize];
        // Counters are cumulative: the last block wins.
        for (slot, v) in [
            (&mut ifc.if_recv, s.if_recv),
            (&mut ifc.if_drop, s.if_drop),
            (&mut ifc.os_drop, s.os_drop),
            (&mut ifc.filter_accept, s.filter_accept),
            (&mut ifc.usr_deliv, s.usr_deliv),
        ] {
            if v.is_some() {
                *slot = v;
            }
        }
        self.stats.bad_options += u64::from(s.bad_options);
        s.first_bad_option.map(|(code, fault)| {
            Step::Error(Error::recoverable(
                off,
                None,
                ErrorKind::BadOption {
                    block: NAME,
                    code,
                    fault,
                },
            ))
        })
    }
}

/// What makes two interface descriptions interchangeable for
/// [`CaptureReader::kept_like`].
type InterfaceKey<'a> = (
    u16,
    u32,
    TsResolution,
    i64,
    u8,
    Option<&'a str>,
    Option<&'a str>,
);

fn ifc_key(i: &Interface) -> InterfaceKey<'_> {
    (
        i.link_type.0,
        i.snaplen,
        i.tsresol,
        i.ts_offset_s,
        i.fcs_len,
        i.name.as_deref(),
        i.description.as_deref(),
    )
}

fn description_key(d: &Description) -> InterfaceKey<'_> {
    (
        d.link_type.0,
        d.snaplen,
        d.tsresol,
        d.ts_offset_s,
        d.fcs_len,
        d.name.as_deref(),
        d.description.as_deref(),
    )
}
