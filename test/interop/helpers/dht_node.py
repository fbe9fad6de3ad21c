#!/usr/bin/python3
"""A libtorrent DHT node on loopback, for interop tests and the DHT benchmark.

usage:
  dht_node.py seed PORT BOOTSTRAP DIR         makes a small torrent in DIR, seeds it, announces it on the DHT
  dht_node.py find PORT BOOTSTRAP INFOHASH    dht_get_peers until a reply carries peers; prints them
  dht_node.py node PORT BOOTSTRAP             just a DHT node; reads commands on stdin:
      "lookup HEX"  one dht_get_peers; prints "result HEX SECONDS PEERS GET_PEERS_SENT" when it completes
BOOTSTRAP is HOST:PORT[,HOST:PORT...]. Lines printed: "listening PORT", "infohash HEX", "bootstrapped",
"peers HOST:PORT ..." (find mode). Exits when stdin closes.
"""
import os
import select
import sys
import time
import libtorrent as lt
from lt_loopback_dht import LOOPBACK_DHT_SETTINGS

mode, port, bootstrap = sys.argv[1], int(sys.argv[2]), sys.argv[3]


def say(*parts):
    print(*parts, flush=True)


settings = {
    "listen_interfaces": f"127.0.0.1:{port}",
    "enable_dht": True,
    "enable_lsd": False,
    "enable_upnp": False,
    "enable_natpmp": False,
    "enable_incoming_utp": False,
    "enable_outgoing_utp": False,
    "dht_bootstrap_nodes": bootstrap,
    **LOOPBACK_DHT_SETTINGS,
    # The default 8000 bytes/s DHT upload cap would throttle hundreds of benchmark lookups.
    "dht_upload_rate_limit": 10000000,
    # Only the alerts read below. With all categories libtorrent also logs every DHT packet, and a loaded machine that
    # pops slowly overflows its alert queue (2,000 by default): the one dht_bootstrap_alert was dropped and a CI run
    # waited 60 s for "bootstrapped".
    "alert_mask": (
        lt.alert.category_t.dht_notification
        | lt.alert.category_t.dht_operation_notification
        | lt.alert.category_t.stats_notification
        | lt.alert.category_t.error_notification
        | lt.alert.category_t.status_notification
    ),
}
ses = lt.session(settings)
say("listening", port)

handle = None
target = None
if mode == "seed":
    folder = sys.argv[4]
    path = os.path.join(folder, "lt-seed.bin")
    with open(path, "wb") as f:
        f.write(os.urandom(64 * 1024))
    fs = lt.file_storage()
    fs.add_file("lt-seed.bin", 64 * 1024)
    ct = lt.create_torrent(fs, 16 * 1024, flags=lt.create_torrent.v1_only)
    lt.set_piece_hashes(ct, folder)
    info = lt.torrent_info(lt.bencode(ct.generate()))
    handle = ses.add_torrent({"ti": info, "save_path": folder})
    say("infohash", str(info.info_hash()))
elif mode == "find":
    target = lt.sha1_hash(bytes.fromhex(sys.argv[4]))

last_action = 0.0
lookup_started = None
bench = None  # (hex, started, get_peers_out before)


# Alerts are only valid until the next pop_alerts(), so each is turned into a plain tuple at once and queued;
# handling one may pop more (get_peers_out), which only appends to the queue. (Handling alerts while a nested
# pop_alerts() freed them crashed the process.)
backlog = []


def pop_events():
    """Pops libtorrent's alerts as plain tuples: ("bootstrapped",), ("reply", HEX, PEERS), ("stats", N)."""
    events = []
    for a in ses.pop_alerts():
        if isinstance(a, lt.dht_bootstrap_alert):
            events.append(("bootstrapped",))
        elif isinstance(a, lt.dht_get_peers_reply_alert):
            events.append(("reply", str(a.info_hash), [f"{ip}:{p}" for ip, p in a.peers()]))
        elif isinstance(a, lt.session_stats_alert):
            events.append(("stats", a.values["dht.dht_get_peers_out"]))
    return events


def get_peers_out():
    """libtorrent's own count of get_peers queries sent (session stats counter dht.dht_get_peers_out)."""
    ses.post_session_stats()
    end = time.time() + 5
    while time.time() < end:
        ses.wait_for_alert(100)
        found = None
        for e in pop_events():
            if e[0] == "stats" and found is None:
                found = e[1]
            elif e[0] != "stats":
                backlog.append(e)
        if found is not None:
            return found
    return -1


def handle_event(e):
    global lookup_started, bench
    if e[0] == "bootstrapped":
        say("bootstrapped")
    elif e[0] == "reply":
        _, hexd, peers = e
        if bench is not None and hexd == bench[0]:
            _, started, before = bench
            bench = None
            seconds = time.time() - started
            say("result", hexd, f"{seconds:.4f}", len(peers), get_peers_out() - before)
        elif lookup_started is not None:
            lookup_started = None
            if peers:
                say("peers", *peers)


def drain_events():
    backlog.extend(pop_events())
    while backlog:
        handle_event(backlog.pop(0))


deadline = time.time() + 600
while time.time() < deadline:
    r, _, _ = select.select([sys.stdin], [], [], 0)
    if r:
        line = sys.stdin.readline()
        if not line:
            break
        cmd = line.split()
        if cmd and cmd[0] == "lookup" and bench is None:
            before = get_peers_out()
            bench = (cmd[1], time.time(), before)
            ses.dht_get_peers(lt.sha1_hash(bytes.fromhex(cmd[1])))
    now = time.time()
    if now - last_action > 2.0:
        last_action = now
        if handle is not None:
            handle.force_dht_announce()
        # Every 2 s, whether or not the last lookup replied: libtorrent posts no reply alert for a lookup that
        # reached nobody (one started before its routing table filled, say).
        if target is not None:
            lookup_started = now
            ses.dht_get_peers(target)
    if bench is not None and time.time() - bench[1] > 10:
        say("result", bench[0], "timeout", 0, 0)  # no reply alert: libtorrent posts none when nothing answered
        bench = None
    ses.wait_for_alert(20)
    drain_events()
