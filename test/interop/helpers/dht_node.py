#!/usr/bin/python3
"""A libtorrent DHT node on loopback, for interop tests and the DHT benchmark.

usage:
  dht_node.py seed PORT BOOTSTRAP DIR         makes a small torrent in DIR, seeds it, announces it on the DHT
  dht_node.py find PORT BOOTSTRAP INFOHASH    dht_get_peers until a reply carries peers; prints them
  dht_node.py node PORT BOOTSTRAP             just a DHT node (routing only)
BOOTSTRAP is HOST:PORT[,HOST:PORT...]. Lines printed: "listening PORT", "infohash HEX", "bootstrapped",
"peers HOST:PORT ...", "lookup SECONDS QUERIES" (find mode, per completed lookup). Exits when stdin closes.
"""
import os
import select
import sys
import time
import libtorrent as lt

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
    # A loopback DHT: every node is 127.0.0.1, ids do not follow BEP 42, and loopback is "dark internet".
    "dht_restrict_routing_ips": False,
    "dht_restrict_search_ips": False,
    "dht_enforce_node_id": False,
    "dht_ignore_dark_internet": False,
    "dht_prefer_verified_node_ids": False,
    "alert_mask": lt.alert.category_t.all_categories,
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

deadline = time.time() + 600
while time.time() < deadline:
    r, _, _ = select.select([sys.stdin], [], [], 0.1)
    if r and not sys.stdin.readline():
        break
    now = time.time()
    if now - last_action > 2.0:
        last_action = now
        if handle is not None:
            handle.force_dht_announce()
        if target is not None and lookup_started is None:
            lookup_started = now
            ses.dht_get_peers(target)
    for a in ses.pop_alerts():
        if isinstance(a, lt.dht_bootstrap_alert):
            say("bootstrapped")
        elif isinstance(a, lt.dht_get_peers_reply_alert):
            peers = [f"{ip}:{p}" for ip, p in a.peers()]
            say("lookup", f"{time.time() - lookup_started:.3f}")
            lookup_started = None
            if peers:
                say("peers", *peers)
