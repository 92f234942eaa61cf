//! Capture file reading (pcap, pcapng, gzip) and live capture.
