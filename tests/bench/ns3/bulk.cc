/*
 * bulk.cc - `make bench-ns3`: the transfer of `bench transfer BYTES 0` (tests/bench/bench.c)
 * run in ns-3 instead of tcpsim, so the two can be compared on the same work. Optional: it
 * links libns3-dev (C++) and is built only by tests/mk/ns3.mk when ns-3 is installed; it is a
 * measuring tool beside tcpsim, not part of it.
 *
 *   bench-ns3 [--bytes=N] [--scheduler=map|heap|calendar|list] [--sendSize=N] [--qdisc]
 *
 * prints one JSON line: {"bench":"ns3","bytes":..,"data_segments":..,"wall_s":..,...}
 *
 * The setup, as close to tcpsim's as ns-3 allows:
 *   - two nodes, one point-to-point link, 5 ms delay each way. ns-3 needs a finite data rate;
 *     100 Gbps puts a 1500-octet packet on the wire in 0.12 us, nothing beside a 10 ms round
 *     trip, so the link behaves like tcpsim's (propagation delay only) and no queue builds;
 *   - no queue discipline: the traffic-control layer's default FqCoDel, which
 *     Ipv4AddressHelper::Assign installs, is removed (tcpsim has none); the device keeps its
 *     DropTail queue, which the 45-segment window never fills;
 *   - TCP: SegmentSize 1460, RcvBufSize 65535 without window scaling (the largest window
 *     without it, as in tcpsim), no SACK, no timestamps (tcpsim sends only the MSS option),
 *     DelAckCount 2 (ns-3's default; tcpsim's benchmark turns delayed_ack on), NewReno with an initial window
 *     of 45 segments: tcpsim has no congestion control and sends the full receive window
 *     from the start, so ns-3 starts window-limited too instead of slow-starting;
 *   - BulkSendApplication with MaxBytes = bytes to a PacketSink that reads as data arrives.
 * Data segments are counted on the sender socket's "Tx" trace (segments carrying payload,
 * retransmissions included). Wall time is measured around Simulator::Run() only: building the
 * topology and Simulator::Destroy() are left out, as tcpsim's benchmark leaves out its set-up.
 */
#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"
#include "ns3/traffic-control-module.h"

using namespace ns3;

namespace
{

/* What the sender socket's "Tx" trace counts. */
struct bulk_count {
    uint64_t data_segments = 0; /* segments with payload, retransmissions included */
    Time last_data;             /* when the last of them left */
};

/* TcpSocketBase "Tx": one call per segment sent; counts those that carry payload. */
void
bulk_on_tx(bulk_count *n, Ptr<const Packet> p, const TcpHeader &, Ptr<const TcpSocketBase>)
{
    if (p->GetSize() > 0) {
        n->data_segments++;
        n->last_data = Simulator::Now();
    }
}

/* Hooks 'n' to the socket 'app' opened when it started (the SYN, sent before, has no payload). */
void
bulk_hook(Ptr<BulkSendApplication> app, bulk_count *n)
{
    app->GetSocket()->TraceConnectWithoutContext("Tx", MakeBoundCallback(&bulk_on_tx, n));
}

} // namespace

int
main(int argc, char **argv)
{
    uint64_t bytes = 100000000;
    std::string scheduler = "map";
    uint32_t send_size = 1460;
    bool qdisc = false;
    CommandLine cmd(__FILE__);
    cmd.AddValue("bytes", "octets to move from A to B", bytes);
    cmd.AddValue("scheduler", "event scheduler: map (ns-3's default), heap, calendar, list",
                 scheduler);
    cmd.AddValue("sendSize", "octets the application hands the socket per Send()", send_size);
    cmd.AddValue("qdisc", "keep the default queue discipline (FqCoDel) on both devices", qdisc);
    cmd.Parse(argc, argv);
    if (bytes == 0) { /* BulkSendApplication reads MaxBytes 0 as "send for ever" */
        std::fprintf(stderr, "bench-ns3: --bytes must be at least 1\n");
        return 2;
    }

    if (scheduler == "heap")
        GlobalValue::Bind("SchedulerType", StringValue("ns3::HeapScheduler"));
    else if (scheduler == "calendar")
        GlobalValue::Bind("SchedulerType", StringValue("ns3::CalendarScheduler"));
    else if (scheduler == "list")
        GlobalValue::Bind("SchedulerType", StringValue("ns3::ListScheduler"));
    else
        scheduler = "map";

    Config::SetDefault("ns3::TcpL4Protocol::SocketType", StringValue("ns3::TcpNewReno"));
    Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(1460));
    Config::SetDefault("ns3::TcpSocket::RcvBufSize", UintegerValue(65535));
    Config::SetDefault("ns3::TcpSocket::SndBufSize", UintegerValue(262144)); /* tcpsim's snd_buf */
    Config::SetDefault("ns3::TcpSocket::DelAckCount", UintegerValue(2));
    Config::SetDefault("ns3::TcpSocket::InitialCwnd", UintegerValue(45)); /* 65535 / 1460, up */
    Config::SetDefault("ns3::TcpSocketBase::WindowScaling", BooleanValue(false));
    Config::SetDefault("ns3::TcpSocketBase::Sack", BooleanValue(false));
    Config::SetDefault("ns3::TcpSocketBase::Timestamp", BooleanValue(false));

    NodeContainer nodes;
    nodes.Create(2);
    PointToPointHelper link;
    link.SetDeviceAttribute("DataRate", StringValue("100Gbps"));
    link.SetChannelAttribute("Delay", StringValue("5ms"));
    NetDeviceContainer devs = link.Install(nodes);
    InternetStackHelper stack;
    stack.Install(nodes);
    Ipv4AddressHelper addr;
    addr.SetBase("10.0.0.0", "255.255.255.0");
    Ipv4InterfaceContainer ifs = addr.Assign(devs);
    if (!qdisc)
        TrafficControlHelper().Uninstall(devs);

    const uint16_t port = 80;
    PacketSinkHelper sink_helper("ns3::TcpSocketFactory",
                                 InetSocketAddress(Ipv4Address::GetAny(), port));
    ApplicationContainer sink_apps = sink_helper.Install(nodes.Get(1));
    BulkSendHelper bulk_helper("ns3::TcpSocketFactory", InetSocketAddress(ifs.GetAddress(1), port));
    bulk_helper.SetAttribute("MaxBytes", UintegerValue(bytes));
    bulk_helper.SetAttribute("SendSize", UintegerValue(send_size));
    ApplicationContainer bulk_apps = bulk_helper.Install(nodes.Get(0));
    sink_apps.Start(Seconds(0));
    bulk_apps.Start(Seconds(0));

    bulk_count n;
    Ptr<BulkSendApplication> bulk = DynamicCast<BulkSendApplication>(bulk_apps.Get(0));
    Simulator::Schedule(NanoSeconds(1), &bulk_hook, bulk, &n);

    uint64_t events0 = Simulator::GetEventCount();
    auto t0 = std::chrono::steady_clock::now();
    Simulator::Run();
    auto t1 = std::chrono::steady_clock::now();
    uint64_t events = Simulator::GetEventCount() - events0;
    double wall = std::chrono::duration<double>(t1 - t0).count();

    uint64_t received = DynamicCast<PacketSink>(sink_apps.Get(0))->GetTotalRx();
    double segs = (double)n.data_segments;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    std::printf("{\"bench\":\"ns3\",\"scheduler\":\"%s\",\"qdisc\":%s,\"send_size\":%u,\"bytes\":%llu,"
                "\"received\":%llu,\"data_segments\":%llu,\"events\":%llu,\"wall_s\":%.6f,\"virtual_s\":%.3f,"
                "\"segments_per_s\":%.0f,\"us_per_segment\":%.3f,\"peak_rss_kb\":%ld}\n",
                scheduler.c_str(), qdisc ? "true" : "false", send_size, (unsigned long long)bytes,
                (unsigned long long)received, (unsigned long long)n.data_segments,
                (unsigned long long)events, wall,
                n.last_data.GetSeconds() + 0.005, segs / wall, segs > 0 ? wall * 1e6 / segs : 0.0,
                ru.ru_maxrss);
    Simulator::Destroy();
    return received == bytes ? 0 : 1;
}
