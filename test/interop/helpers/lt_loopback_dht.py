"""libtorrent settings for a DHT whose every node is on 127.0.0.1, shared by dht_node.py and lt_peer.py."""

# A loopback DHT: every node is 127.0.0.1, ids do not follow BEP 42, and loopback is "dark internet".
# Every node here shares 127.0.0.1: a per-IP ban at 5 packets/s would ban the whole test network.
LOOPBACK_DHT_SETTINGS = {
    "dht_restrict_routing_ips": False,
    "dht_restrict_search_ips": False,
    "dht_enforce_node_id": False,
    "dht_ignore_dark_internet": False,
    "dht_prefer_verified_node_ids": False,
    "dht_block_ratelimit": 100000,
}
