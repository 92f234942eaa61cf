#!/bin/sh
# Writes the tshark field listings the app-view tests compare with.
# Run from this directory with the shared corpus beside the repository
# (CORPUS, default ../../../../../shared/corpus/files). Each output file
# starts with the command that produced it. tshark 4.0.
set -eu
C=${CORPUS:-../../../../../shared/corpus/files}
run() {
    out=$1; shift
    { echo "# tshark $*"; tshark "$@" 2>/dev/null; } | sed "s|$C/||" >"$out"
}
RTP="-e frame.number -e rtp.version -e rtp.padding -e rtp.ext -e rtp.cc -e rtp.marker -e rtp.p_type -e rtp.seq -e rtp.timestamp -e rtp.ssrc"
# shellcheck disable=SC2086
run rtp-g729a.txt -r "$C/rtppcap/sip-rtp-g729a.pcap" -Y rtp -T fields $RTP
# shellcheck disable=SC2086
run rtp-l16.txt -r "$C/rtppcap/sip-rtp-l16.pcap" -Y "rtp && frame.number <= 300" -T fields $RTP
run rtcp-sip.txt -r "$C/ndpi/sip.pcap" -Y rtcp -T fields -E occurrence=a -E aggregator=, \
    -e frame.number -e rtcp.pt -e rtcp.length -e rtcp.senderssrc -e rtcp.sdes.type \
    -e rtcp.sdes.text -e rtcp.ssrc.identifier
run srtcp-stun.txt -r "$C/ndpi/stun.pcap" -Y srtcp -T fields \
    -e frame.number -e rtcp.pt -e srtcp.e -e srtcp.index -e udp.length
PTP="-e frame.number -e ptp.v2.messagetype -e ptp.v2.minorversionptp -e ptp.v2.messagelength \
 -e ptp.v2.domainnumber -e ptp.v2.flags.twostep -e ptp.v2.flags.unicast -e ptp.v2.correction.ns \
 -e ptp.v2.clockidentity -e ptp.v2.sourceportid -e ptp.v2.sequenceid -e ptp.v2.controlfield \
 -e ptp.v2.logmessageperiod -e ptp.v2.an.priority1 -e ptp.v2.an.grandmasterclockclass \
 -e ptp.v2.an.grandmasterclockaccuracy -e ptp.v2.an.grandmasterclockvariance -e ptp.v2.an.priority2 \
 -e ptp.v2.an.grandmasterclockidentity -e ptp.v2.an.localstepsremoved -e ptp.v2.timesource"
for f in ndpi/ptpv2.pcap tcpdump/ptp.pcap tcpdump/ptp_corrections.pcap tcpdump/ptp_ethernet.pcap \
    tcpdump/ptp_management.pcap tcpdump/ptp_v2_1.pcap; do
    # shellcheck disable=SC2086
    run "ptp-$(basename "$f" .pcap).txt" -r "$C/$f" -Y ptp -T fields $PTP
done
SDP="-e sdp.connection_info.address -e sdp.connection_info.ttl -e sdp.media.media -e sdp.media.port \
 -e sdp.media.proto -e sdp.media.format -e sdp.mime.type -e sdp.sample_rate"
run sap-qinq.txt -r "$C/zeek/q-in-q.pcap" -Y sap -T fields -E occurrence=a -E aggregator=, \
    -e frame.number -e sap.flags.v -e sap.flags.a -e sap.flags.t -e sap.flags.e -e sap.flags.c \
    -e sap.auth.len -e sap.message_identifier_hash -e sap.originating_source -e sap.payload_type $SDP
SIP="-e frame.number -e sip.Method -e sip.r-uri -e sip.Status-Code -e sip.Call-ID -e sip.CSeq.seq \
 -e sip.Content-Length -e sip.Content-Type -e sip.User-Agent -e sip.Server"
for f in ndpi/sip.pcap suricata/sdp.pcap suricata/public-cloudshark-sip-s0.pcap rtppcap/sip-rtp-g729a.pcap \
    rtppcap/sip-rtp-l16.pcap ndpi/FAX-Call-t38-CA-TDM-SIP-FB-1.pcap; do
    # shellcheck disable=SC2086
    run "sip-$(basename "$f" .pcap).txt" -r "$C/$f" -Y "sip && udp" -T fields -E occurrence=f $SIP \
        -E occurrence=a -E aggregator=, $SDP
done
DNS="-e frame.number -e dns.flags.response -e dns.count.queries -e dns.count.answers -e dns.count.auth_rr \
 -e dns.count.add_rr -e dns.qry.name -e dns.qry.type -e dns.resp.name -e dns.resp.type -e dns.resp.ttl \
 -e dns.ptr.domain_name -e dns.srv.port -e dns.srv.target -e dns.a -e dns.aaaa -e dns.txt"
for f in zeek/mdns.pcap ndpi/iphone.pcap ndpi/dns.pcap zeek/wikipedia.pcap; do
    # shellcheck disable=SC2086
    run "dns-$(basename "$f" .pcap).txt" -r "$C/$f" -Y "(dns || mdns) && udp && !icmp" -T fields \
        -E occurrence=a -E aggregator=';' $DNS
done
for f in zeek/webrtc-stun.pcap ndpi/stun.pcap; do
    run "stun-$(basename "$f" .pcap).txt" -r "$C/$f" -Y "stun && udp && !classicstun" -T fields \
        -e frame.number -e stun.type.method -e stun.type.class -e stun.length -e stun.id
done
