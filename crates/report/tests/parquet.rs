//! The Parquet writer's layout: row groups of the documented size (so the
//! writer's memory is bounded by one row group, whatever the number of
//! flows) and every row read back.
#![cfg(feature = "parquet")]

use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::reader::{FileReader, SerializedFileReader};
use portmatrix_engine::{FlowRecord, FlowSink, Verdict};
use portmatrix_report::parquet::{ParquetReport, ROW_GROUP_ROWS};

fn record(id: u64) -> FlowRecord {
    let documented = id % 10 != 0;
    FlowRecord {
        id,
        vlan: (id % 3 == 0).then_some(20),
        inner_vlan: None,
        transport: "udp",
        src_ip: Some("192.0.2.10".into()),
        src_port: 40000,
        dst_ip: Some("192.0.2.20".into()),
        dst_port: u16::try_from(id % 65536).unwrap(),
        ether_type: None,
        src_mac: None,
        dst_mac: None,
        destination: "unicast",
        first_ts: String::new(),
        last_ts: String::new(),
        first_ts_ns: 1_700_000_000_000_000_000,
        last_ts_ns: 1_700_000_001_000_000_000,
        packets: 2,
        bytes: 200,
        packets_fwd: 1,
        packets_rev: 1,
        bytes_fwd: 100,
        bytes_rev: 100,
        conn_state: Some("SF"),
        history: "Dd".into(),
        app: None,
        verdict: if documented {
            Verdict::Documented
        } else {
            Verdict::Undocumented
        },
        basis: documented.then_some("port-only"),
        candidates: Vec::new(),
        blocked_kind: None,
        rule_ids: if documented {
            vec!["a.rule".into()]
        } else {
            Vec::new()
        },
        hints: Vec::new(),
        findings: if documented {
            Vec::new()
        } else {
            vec![portmatrix_engine::Finding {
                kind: "wide-rule-only",
                detail: format!("flow {id}"),
            }]
        },
        src_device: None,
        dst_device: None,
        icmp_errors: Vec::new(),
        rtp: Vec::new(),
        rtcp: None,
        ptp: None,
        sip: None,
        sap: None,
        announced_by: None,
        capture_loss: None,
    }
}

#[test]
fn flows_are_written_in_row_groups_of_the_documented_size() {
    let dir = tempfile::tempdir().unwrap();
    let (flows, findings) = (dir.path().join("f.parquet"), dir.path().join("x.parquet"));
    let mut w = ParquetReport::new(
        std::fs::File::create(&flows).unwrap(),
        std::fs::File::create(&findings).unwrap(),
    )
    .unwrap();
    let n = 2 * ROW_GROUP_ROWS as u64 + 18_928;
    w.begin_input("a.pcap");
    for id in 1..=n {
        w.flow(record(id)).unwrap();
    }
    w.finish().unwrap();

    let reader = SerializedFileReader::new(std::fs::File::open(&flows).unwrap()).unwrap();
    let groups: Vec<i64> = reader
        .metadata()
        .row_groups()
        .iter()
        .map(|g| g.num_rows())
        .collect();
    let full = ROW_GROUP_ROWS as i64;
    assert_eq!(groups, vec![full, full, 18_928]);

    let batches = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&findings).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let mut rows = 0;
    for b in batches {
        let b = b.unwrap();
        rows += b.num_rows();
        let kind = b
            .column_by_name("kind")
            .unwrap()
            .as_any()
            .downcast_ref::<arrow_array::StringArray>()
            .unwrap();
        assert!(kind.iter().all(|k| k == Some("wide-rule-only")));
    }
    // Every tenth flow has one finding.
    assert_eq!(rows as u64, n / 10);
}
