//! The Parquet report (`docs/report-format.md`, "Parquet"): `flows.parquet`,
//! one row per flow, and `findings.parquet`, one row per finding, each row
//! naming its input so the files of many captures can be queried together
//! (DuckDB, Spark, Trino).
//!
//! Rows are collected in record batches of [`BATCH_ROWS`] and handed to the
//! writer, which closes a row group every [`ROW_GROUP_ROWS`] rows, so memory
//! stays flat however many flows a capture has. Only signed integer types
//! are used: some engines read Parquet's unsigned types badly.

use std::io::{self, Write};
use std::sync::Arc;

use arrow_array::builder::{
    Float64Builder, Int32Builder, Int64Builder, ListBuilder, StringBuilder,
    TimestampNanosecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use portmatrix_engine::{FlowRecord, FlowSink};

/// Rows per record batch handed to the Parquet writer.
pub const BATCH_ROWS: usize = 8192;
/// Rows per Parquet row group (the writer buffers one row group).
pub const ROW_GROUP_ROWS: usize = 65_536;

fn utf8(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

fn list(name: &str) -> Field {
    Field::new(
        name,
        DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true))),
        false,
    )
}

fn ts(name: &str) -> Field {
    Field::new(
        name,
        DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into())),
        false,
    )
}

/// The schema of `flows.parquet`.
pub fn flows_schema() -> SchemaRef {
    let i64f = |n: &str| Field::new(n, DataType::Int64, false);
    let i32f = |n: &str, null: bool| Field::new(n, DataType::Int32, null);
    Arc::new(Schema::new(vec![
        utf8("input", false),
        i64f("id"),
        i32f("vlan", true),
        i32f("inner_vlan", true),
        utf8("transport", false),
        utf8("src_ip", true),
        i32f("src_port", false),
        utf8("dst_ip", true),
        i32f("dst_port", false),
        utf8("destination", false),
        ts("first_ts"),
        ts("last_ts"),
        i64f("packets"),
        i64f("bytes"),
        i64f("packets_fwd"),
        i64f("packets_rev"),
        i64f("bytes_fwd"),
        i64f("bytes_rev"),
        utf8("conn_state", true),
        utf8("history", false),
        utf8("app", true),
        utf8("src_device", true),
        utf8("dst_device", true),
        utf8("verdict", false),
        utf8("blocked_kind", true),
        list("rule_ids"),
        list("hints"),
        list("findings"),
        i32f("rtp_streams", false),
        Field::new("rtp_packets", DataType::Int64, true),
        Field::new("rtp_lost", DataType::Int64, true),
        Field::new("rtp_max_jitter_ms", DataType::Float64, true),
        Field::new("rtcp_packets", DataType::Int64, true),
    ]))
}

/// The schema of `findings.parquet`.
pub fn findings_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        utf8("input", false),
        Field::new("flow_id", DataType::Int64, false),
        utf8("verdict", false),
        utf8("kind", false),
        utf8("detail", false),
    ]))
}

fn int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn ts_builder() -> TimestampNanosecondBuilder {
    TimestampNanosecondBuilder::new().with_timezone("UTC")
}

/// Builders of one batch of `flows.parquet` rows.
struct FlowColumns {
    input: StringBuilder,
    id: Int64Builder,
    vlan: Int32Builder,
    inner_vlan: Int32Builder,
    transport: StringBuilder,
    src_ip: StringBuilder,
    src_port: Int32Builder,
    dst_ip: StringBuilder,
    dst_port: Int32Builder,
    destination: StringBuilder,
    first_ts: TimestampNanosecondBuilder,
    last_ts: TimestampNanosecondBuilder,
    counts: [Int64Builder; 6],
    conn_state: StringBuilder,
    history: StringBuilder,
    app: StringBuilder,
    src_device: StringBuilder,
    dst_device: StringBuilder,
    verdict: StringBuilder,
    blocked_kind: StringBuilder,
    rule_ids: ListBuilder<StringBuilder>,
    hints: ListBuilder<StringBuilder>,
    findings: ListBuilder<StringBuilder>,
    rtp_streams: Int32Builder,
    rtp_packets: Int64Builder,
    rtp_lost: Int64Builder,
    rtp_max_jitter_ms: Float64Builder,
    rtcp_packets: Int64Builder,
    rows: usize,
}

fn list_builder() -> ListBuilder<StringBuilder> {
    ListBuilder::new(StringBuilder::new())
}

impl FlowColumns {
    fn new() -> Self {
        FlowColumns {
            input: StringBuilder::new(),
            id: Int64Builder::new(),
            vlan: Int32Builder::new(),
            inner_vlan: Int32Builder::new(),
            transport: StringBuilder::new(),
            src_ip: StringBuilder::new(),
            src_port: Int32Builder::new(),
            dst_ip: StringBuilder::new(),
            dst_port: Int32Builder::new(),
            destination: StringBuilder::new(),
            first_ts: ts_builder(),
            last_ts: ts_builder(),
            counts: std::array::from_fn(|_| Int64Builder::new()),
            conn_state: StringBuilder::new(),
            history: StringBuilder::new(),
            app: StringBuilder::new(),
            src_device: StringBuilder::new(),
            dst_device: StringBuilder::new(),
            verdict: StringBuilder::new(),
            blocked_kind: StringBuilder::new(),
            rule_ids: list_builder(),
            hints: list_builder(),
            findings: list_builder(),
            rtp_streams: Int32Builder::new(),
            rtp_packets: Int64Builder::new(),
            rtp_lost: Int64Builder::new(),
            rtp_max_jitter_ms: Float64Builder::new(),
            rtcp_packets: Int64Builder::new(),
            rows: 0,
        }
    }

    fn push(&mut self, input: &str, f: &FlowRecord) {
        self.input.append_value(input);
        self.id.append_value(int(f.id));
        self.vlan.append_option(f.vlan.map(i32::from));
        self.inner_vlan.append_option(f.inner_vlan.map(i32::from));
        self.transport.append_value(f.transport);
        self.src_ip.append_option(f.src_ip.as_deref());
        self.src_port.append_value(i32::from(f.src_port));
        self.dst_ip.append_option(f.dst_ip.as_deref());
        self.dst_port.append_value(i32::from(f.dst_port));
        self.destination.append_value(f.destination);
        self.first_ts.append_value(f.first_ts_ns);
        self.last_ts.append_value(f.last_ts_ns);
        let counts = [
            f.packets,
            f.bytes,
            f.packets_fwd,
            f.packets_rev,
            f.bytes_fwd,
            f.bytes_rev,
        ];
        for (b, v) in self.counts.iter_mut().zip(counts) {
            b.append_value(int(v));
        }
        self.conn_state.append_option(f.conn_state);
        self.history.append_value(&f.history);
        self.app.append_option(f.app);
        self.src_device.append_option(f.src_device.as_deref());
        self.dst_device.append_option(f.dst_device.as_deref());
        self.verdict.append_value(f.verdict.name());
        self.blocked_kind.append_option(f.blocked_kind);
        self.rule_ids
            .append_value(f.rule_ids.iter().map(|s| Some(s.as_str())));
        self.hints
            .append_value(f.hints.iter().map(|s| Some(s.as_str())));
        self.findings
            .append_value(f.findings.iter().map(|x| Some(x.kind)));
        self.rtp_streams
            .append_value(i32::try_from(f.rtp.len()).unwrap_or(i32::MAX));
        let media = !f.rtp.is_empty();
        self.rtp_packets
            .append_option(media.then(|| int(f.rtp.iter().map(|s| s.packets).sum())));
        self.rtp_lost
            .append_option(media.then(|| f.rtp.iter().map(|s| s.lost).sum()));
        self.rtp_max_jitter_ms.append_option(
            f.rtp
                .iter()
                .filter_map(|s| s.max_jitter_ms)
                .reduce(f64::max),
        );
        self.rtcp_packets
            .append_option(f.rtcp.as_ref().map(|r| int(r.packets_fwd + r.packets_rev)));
        self.rows += 1;
    }

    fn batch(&mut self, schema: &SchemaRef) -> io::Result<RecordBatch> {
        let [c0, c1, c2, c3, c4, c5] = &mut self.counts;
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.input.finish()),
            Arc::new(self.id.finish()),
            Arc::new(self.vlan.finish()),
            Arc::new(self.inner_vlan.finish()),
            Arc::new(self.transport.finish()),
            Arc::new(self.src_ip.finish()),
            Arc::new(self.src_port.finish()),
            Arc::new(self.dst_ip.finish()),
            Arc::new(self.dst_port.finish()),
            Arc::new(self.destination.finish()),
            Arc::new(self.first_ts.finish()),
            Arc::new(self.last_ts.finish()),
            Arc::new(c0.finish()),
            Arc::new(c1.finish()),
            Arc::new(c2.finish()),
            Arc::new(c3.finish()),
            Arc::new(c4.finish()),
            Arc::new(c5.finish()),
            Arc::new(self.conn_state.finish()),
            Arc::new(self.history.finish()),
            Arc::new(self.app.finish()),
            Arc::new(self.src_device.finish()),
            Arc::new(self.dst_device.finish()),
            Arc::new(self.verdict.finish()),
            Arc::new(self.blocked_kind.finish()),
            Arc::new(self.rule_ids.finish()),
            Arc::new(self.hints.finish()),
            Arc::new(self.findings.finish()),
            Arc::new(self.rtp_streams.finish()),
            Arc::new(self.rtp_packets.finish()),
            Arc::new(self.rtp_lost.finish()),
            Arc::new(self.rtp_max_jitter_ms.finish()),
            Arc::new(self.rtcp_packets.finish()),
        ];
        self.rows = 0;
        RecordBatch::try_new(Arc::clone(schema), columns).map_err(io::Error::other)
    }
}

/// Builders of one batch of `findings.parquet` rows.
struct FindingColumns {
    input: StringBuilder,
    flow_id: Int64Builder,
    verdict: StringBuilder,
    kind: StringBuilder,
    detail: StringBuilder,
    rows: usize,
}

impl FindingColumns {
    fn new() -> Self {
        FindingColumns {
            input: StringBuilder::new(),
            flow_id: Int64Builder::new(),
            verdict: StringBuilder::new(),
            kind: StringBuilder::new(),
            detail: StringBuilder::new(),
            rows: 0,
        }
    }

    fn batch(&mut self, schema: &SchemaRef) -> io::Result<RecordBatch> {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.input.finish()),
            Arc::new(self.flow_id.finish()),
            Arc::new(self.verdict.finish()),
            Arc::new(self.kind.finish()),
            Arc::new(self.detail.finish()),
        ];
        self.rows = 0;
        RecordBatch::try_new(Arc::clone(schema), columns).map_err(io::Error::other)
    }
}

/// Writes `flows.parquet` and `findings.parquet` as flows end.
pub struct ParquetReport<W: Write + Send> {
    flows: ArrowWriter<W>,
    findings: ArrowWriter<W>,
    flow_cols: FlowColumns,
    finding_cols: FindingColumns,
    input: String,
}

fn writer<W: Write + Send>(out: W, schema: SchemaRef) -> io::Result<ArrowWriter<W>> {
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_created_by(format!("portmatrix {}", env!("CARGO_PKG_VERSION")))
        .build();
    ArrowWriter::try_new(out, schema, Some(props)).map_err(io::Error::other)
}

impl<W: Write + Send> ParquetReport<W> {
    /// Starts the two files.
    ///
    /// # Errors
    /// Writing failed.
    pub fn new(flows: W, findings: W) -> io::Result<Self> {
        Ok(ParquetReport {
            flows: writer(flows, flows_schema())?,
            findings: writer(findings, findings_schema())?,
            flow_cols: FlowColumns::new(),
            finding_cols: FindingColumns::new(),
            input: String::new(),
        })
    }

    /// The input (path as given) of the rows that follow.
    pub fn begin_input(&mut self, path: &str) {
        path.clone_into(&mut self.input);
    }

    fn flush_flows(&mut self) -> io::Result<()> {
        let batch = self.flow_cols.batch(&flows_schema())?;
        self.flows.write(&batch).map_err(io::Error::other)
    }

    fn flush_findings(&mut self) -> io::Result<()> {
        let batch = self.finding_cols.batch(&findings_schema())?;
        self.findings.write(&batch).map_err(io::Error::other)
    }

    /// Writes the remaining rows and the files' footers.
    ///
    /// # Errors
    /// Writing failed.
    pub fn finish(mut self) -> io::Result<()> {
        if self.flow_cols.rows > 0 {
            self.flush_flows()?;
        }
        if self.finding_cols.rows > 0 {
            self.flush_findings()?;
        }
        self.flows.close().map_err(io::Error::other)?;
        self.findings.close().map_err(io::Error::other)?;
        Ok(())
    }
}

impl<W: Write + Send> FlowSink for ParquetReport<W> {
    fn flow(&mut self, f: FlowRecord) -> io::Result<()> {
        self.flow_cols.push(&self.input, &f);
        for x in &f.findings {
            let c = &mut self.finding_cols;
            c.input.append_value(&self.input);
            c.flow_id.append_value(int(f.id));
            c.verdict.append_value(f.verdict.name());
            c.kind.append_value(x.kind);
            c.detail.append_value(&x.detail);
            c.rows += 1;
        }
        if self.flow_cols.rows >= BATCH_ROWS {
            self.flush_flows()?;
        }
        if self.finding_cols.rows >= BATCH_ROWS {
            self.flush_findings()?;
        }
        Ok(())
    }
}
