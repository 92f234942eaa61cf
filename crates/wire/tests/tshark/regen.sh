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
