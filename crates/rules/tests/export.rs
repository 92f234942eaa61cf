//! CSV and JSON export.

use portmatrix_rules::export::{self, CSV_COLUMNS};

use crate::util::test_rules;

/// The column list of the issue, verbatim, and `confidence` after it
/// (docs/rules.md, "Confidence").
const ISSUE_HEADER: &str = "id,document,vendor,product,section,source_role,source_ports,destination_role,transport,destination_ports,direction,service,requirement,multicast_groups,broadcast,rtp_pairing,configurable,quote,correction,confidence";

fn csv() -> String {
    let mut out = Vec::new();
    export::write_csv(&test_rules(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn csv_header_is_exactly_the_issue_columns() {
    assert_eq!(csv().split("\r\n").next().unwrap(), ISSUE_HEADER);
    assert_eq!(CSV_COLUMNS.join(","), ISSUE_HEADER);
}

#[test]
fn csv_rows_write_ports_transport_and_groups_as_specified() {
    let text = csv();
    let rows: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), 1 + 11);
    let row = |id: &str| {
        *rows
            .iter()
            .find(|r| r.starts_with(&format!("{id},")))
            .unwrap()
    };
    // Values from fixtures/rules/valid/acme.toml and globex.toml.
    assert_eq!(
        row("acme.codec.sip"),
        "acme.codec.sip,acme-ports.txt,Acme,Acme Codec,Codec ports,any,any,acme.codec,tcp;udp,5060;5061,source-to-destination,SIP,mandatory,,false,false,false,\"5060, 5061 TCP/UDP SIP signalling to the codec\",,reading"
    );
    assert_eq!(
        row("acme.controller.control"),
        "acme.controller.control,acme-ports.txt,Acme,Acme Room Controller,Controller ports,acme.panel,ephemeral-linux,acme.controller,tcp,8443,inbound,Control,mandatory,,false,false,false,8443 TCP Inbound Control panel to controller,,reading"
    );
    assert!(row("acme.clock.ptp").contains(",319-320,"));
    assert!(row("acme.clock.ptp").contains(",224.0.1.129-224.0.1.132,"));
    assert!(row("acme.discovery.mdns").contains(",224.0.0.251;ff02::fb,"));
    assert!(row("acme.codec.media").contains(",true,true,"));
    assert!(row("acme.codec.web").contains(",ephemeral-windows;ephemeral-windows-old,"));
    assert!(row("globex.dsp.control").ends_with(
        ",\"document: \"\"230 TCP\"\"; Telnet control is port 23 in the rest of the DSP's manual, read as 23\",guess"
    ));
}

#[test]
fn json_has_the_same_fields_typed() {
    let mut out = Vec::new();
    export::write_json(&test_rules(), &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 11);
    for r in rows {
        let keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        let mut expected: Vec<&str> = CSV_COLUMNS.to_vec();
        let mut got = keys.clone();
        expected.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, expected);
    }
    let sip = rows.iter().find(|r| r["id"] == "acme.codec.sip").unwrap();
    assert_eq!(sip["transport"], serde_json::json!(["tcp", "udp"]));
    assert_eq!(
        sip["destination_ports"],
        serde_json::json!({"spec": "5060;5061", "ranges": [[5060, 5060], [5061, 5061]]})
    );
    assert_eq!(
        sip["source_ports"],
        serde_json::json!({"spec": "any", "ranges": [[0, 65535]]})
    );
    assert_eq!(sip["broadcast"], serde_json::json!(false));
    assert_eq!(sip["correction"], serde_json::Value::Null);
    assert_eq!(sip["confidence"], "reading");
    let control = rows
        .iter()
        .find(|r| r["id"] == "globex.dsp.control")
        .unwrap();
    assert_eq!(control["confidence"], "guess");
    let ptp = rows.iter().find(|r| r["id"] == "acme.clock.ptp").unwrap();
    assert_eq!(
        ptp["multicast_groups"],
        serde_json::json!(["224.0.1.129-224.0.1.132"])
    );
}

#[test]
fn table_lists_every_rule() {
    let t = export::table(&test_rules());
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines.len(), 12);
    assert!(lines[0].starts_with("ID"));
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("acme.clock.ptp")
                && l.contains("319-320 @224.0.1.129-224.0.1.132"))
    );
}

#[test]
fn describe_shows_provenance() {
    let rules = test_rules();
    let text = export::describe(&rules, rules.rule("globex.dsp.control").unwrap());
    assert!(text.contains("globex-ports.txt (Globex DSP ports)"));
    assert!(text.contains("\"230 TCP Telnet control from the room controller\""));
    assert!(text.contains("correction:"));
    assert!(
        text.lines()
            .any(|l| l.starts_with("confidence:") && l.ends_with(" guess")),
        "{text}"
    );
    assert!(text.contains("globex.toml:27:1"), "{text}");
}
