#!/usr/bin/python3
"""A libtorrent peer for interop tests and benchmarks, on loopback only.

usage: lt_peer.py seed|leech TORRENT_OR_MAGNET SAVE_DIR [--peer HOST:PORT]... [--timeout S] [--fast]
                  [--dht HOST:PORT[,HOST:PORT...]] [--enc enabled|forced|disabled]
Prints JSON lines: {"event":"listening","port":N} once listening, {"event":"progress",...} each second,
{"event":"done",...} when every piece is verified. A leecher exits 0 then; a seed runs until killed.
uTP, DHT, LSD, UPnP and NAT-PMP are off, so nothing leaves the machine. With --dht, the DHT is on, bootstrapped
only from the given loopback nodes (with the settings that let libtorrent route 127.0.0.1), and the torrent is
announced every 2 s ({"event":"dht-bootstrapped"} is printed once the DHT is up).
--enc sets protocol encryption (MSE) both ways: enabled (libtorrent's default: MSE offered on outgoing
connections, both accepted), forced (MSE with RC4 only, plaintext refused) or disabled (plaintext only).
Without --enc libtorrent's defaults apply, as before.
"""
import json
import sys
import time
import libtorrent as lt
from lt_loopback_dht import LOOPBACK_DHT_SETTINGS

args = sys.argv[1:]
mode, source, save = args[0], args[1], args[2]
peers, timeout, fast, dht, enc = [], 120.0, False, None, None
i = 3
while i < len(args):
    if args[i] == "--peer":
        host, port = args[i + 1].rsplit(":", 1)
        peers.append((host.strip("[]"), int(port)))
        i += 2
    elif args[i] == "--timeout":
        timeout = float(args[i + 1])
        i += 2
    elif args[i] == "--fast":
        fast = True
        i += 1
    elif args[i] == "--dht":
        dht = args[i + 1]
        if not all(b.startswith("127.") for b in dht.split(",")):
            raise SystemExit("--dht takes loopback nodes only")
        i += 2
    elif args[i] == "--enc":
        enc = args[i + 1]
        if enc not in ("enabled", "forced", "disabled"):
            raise SystemExit("--enc takes enabled, forced or disabled")
        i += 2
    else:
        raise SystemExit("unknown argument " + args[i])

settings = lt.high_performance_seed() if fast else lt.default_settings()
settings.update({
    "listen_interfaces": "127.0.0.1:0",
    "enable_dht": False,
    "enable_lsd": False,
    "enable_upnp": False,
    "enable_natpmp": False,
    "enable_incoming_utp": False,
    "enable_outgoing_utp": False,
    "allow_multiple_connections_per_ip": True,
    "alert_mask": 0,
})
if dht is not None:
    settings.update({
        "enable_dht": True,
        "dht_bootstrap_nodes": dht,
        **LOOPBACK_DHT_SETTINGS,
        "alert_mask": lt.alert.category_t.dht_notification,
    })
if enc is not None:
    policy = {"enabled": lt.enc_policy.pe_enabled, "forced": lt.enc_policy.pe_forced, "disabled": lt.enc_policy.pe_disabled}[enc]
    settings.update({
        "out_enc_policy": int(policy),
        "in_enc_policy": int(policy),
        # forced: RC4 over the whole stream, never plaintext after the MSE handshake.
        "allowed_enc_level": int(lt.enc_level.pe_rc4 if enc == "forced" else lt.enc_level.pe_both),
        "prefer_rc4": enc == "forced",
    })
ses = lt.session(settings)

if source.startswith("magnet:"):
    params = lt.parse_magnet_uri(source)
else:
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(source)
params.save_path = save
handle = ses.add_torrent(params)


def emit(event, **fields):
    print(json.dumps(dict(event=event, **fields)), flush=True)


emit("listening", port=ses.listen_port())
start = time.time()
last_connect = 0.0
last_announce = 0.0
done = False
while time.time() - start < timeout:
    now = time.time()
    if dht is not None:
        for a in ses.pop_alerts():
            if isinstance(a, lt.dht_bootstrap_alert):
                emit("dht-bootstrapped")
        if now - last_announce > 2 and (mode == "seed" or not done):
            handle.force_dht_announce()
            last_announce = now
    if peers and now - last_connect > 2:
        for p in peers:
            handle.connect_peer(p)
        last_connect = now
    st = handle.status()
    if not done and st.is_seeding and st.has_metadata:
        done = True
        emit("done", seconds=round(now - start, 3), downloaded=st.total_payload_download, uploaded=st.total_payload_upload)
        if mode == "leech":
            sys.exit(0)
    time.sleep(0.05 if not done else 0.5)
    if int(now * 20) % 20 == 0:
        emit("progress", state=str(st.state), progress=st.progress, peers=st.num_peers, uploaded=st.total_payload_upload)
emit("timeout")
sys.exit(1)
