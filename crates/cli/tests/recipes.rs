//! Captures recorded by the recipes under `fixtures/recipes/` against their
//! truth tables: `ptp4l/` (two linuxptp instances over UDP with end-to-end
//! delay and over Ethernet with peer delay, `truth.json`). Every row of the
//! truth table is asserted.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::util::{check_json, fixtures_dir};

fn flow_ends(f: &Value) -> BTreeSet<String> {
    if f["transport"] == "ether" {
        return [&f["src_mac"], &f["dst_mac"]]
            .iter()
            .map(|v| v.as_str().expect("MAC").to_string())
            .collect();
    }
    [("src_ip", "src_port"), ("dst_ip", "dst_port")]
        .iter()
        .map(|(ip, port)| format!("{}:{}", f[*ip].as_str().expect("IP"), f[*port]))
        .collect()
}

#[test]
fn ptp4l_captures_match_their_truth_table() {
    let dir = fixtures_dir().join("recipes/ptp4l");
    let truth: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("truth.json")).expect("read truth.json"),
    )
    .expect("truth.json is JSON");
    let captures = truth["captures"].as_array().expect("captures");
    assert_eq!(captures.len(), 2);
    for t in captures {
        let file = t["file"].as_str().unwrap();
        let run = check_json(&dir.join(file), None);
        let input = run.input0().expect("report");
        let flows = input["flows"].as_array().expect("flows");

        // Flows: exactly the truth table's, each PTP, with its verdict.
        let got: BTreeSet<BTreeSet<String>> = flows.iter().map(flow_ends).collect();
        let want: BTreeSet<BTreeSet<String>> = t["flows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                p.as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e.as_str().unwrap().to_string())
                    .collect()
            })
            .collect();
        assert_eq!(got, want, "{file}: flows");
        for f in flows {
            assert_eq!(f["transport"], t["transport"], "{file}");
            assert_eq!(f["app"], "ptp", "{file}");
            assert_eq!(f["verdict"], t["verdict"], "{file}: {f}");
        }

        // The domain, its clocks, its master and grandmaster.
        let domains = input["ptp"]["domains"].as_array().expect("ptp domains");
        assert_eq!(domains.len(), 1, "{file}");
        let d = &domains[0];
        assert_eq!(d["domain"], t["domain"], "{file}");
        let clocks: BTreeSet<&str> = d["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        let want: BTreeSet<&str> = t["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(clocks, want, "{file}: clocks");
        // The grandmaster announced last, and until the end.
        let gms = d["grandmasters"].as_array().unwrap();
        let last = gms
            .iter()
            .max_by_key(|g| g["periods"].as_array().unwrap().last().unwrap()["last_ts_ns"].as_i64())
            .unwrap();
        assert_eq!(last["identity"], t["final_grandmaster"], "{file}");
        assert_eq!(
            last["priority1"], t["final_grandmaster_priority1"],
            "{file}"
        );
        // The master sends the most Syncs, at 2^-logSyncInterval per
        // second (software timers: within 10 %).
        let sync = &d["sync"][0];
        assert_eq!(sync["clock"], t["final_grandmaster"], "{file}");
        let log = t["master_sync_log_interval"].as_i64().unwrap();
        assert_eq!(sync["log_interval"].as_i64(), Some(log), "{file}");
        let want = 2f64.powi(-log as i32);
        let got = sync["per_second"].as_f64().unwrap();
        assert!(
            (got - want).abs() <= want * 0.1,
            "{file}: {got} Sync/s, want {want}"
        );
        let announce = &d["announce"][0];
        assert_eq!(announce["clock"], t["final_grandmaster"], "{file}");
        assert_eq!(
            announce["log_interval"], t["announce_log_interval"],
            "{file}"
        );
        assert_eq!(d["delay_mechanism"], t["delay_mechanism"], "{file}");
        assert_eq!(d["pdelay_to"], t["pdelay_to"], "{file}");

        // No finding the settings exclude.
        let kinds: Vec<&str> = input["ptp"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["kind"].as_str().unwrap())
            .collect();
        for absent in t["absent_findings"].as_array().unwrap() {
            assert!(
                !kinds.contains(&absent.as_str().unwrap()),
                "{file}: {absent} in {kinds:?}"
            );
        }
    }
}
