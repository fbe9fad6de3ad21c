#!/usr/bin/python3
"""Makes a .torrent with libtorrent's create_torrent, for comparing info hashes with tandem.

usage: lt_create.py PATH OUT MODE PIECE_LENGTH   (MODE: v1, v2 or hybrid)
Files are added in sorted path order, as mktorrent does (libtorrent's add_files follows readdir order).
"""
import os
import sys
import libtorrent as lt

path, out, mode, piece_length = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
path = os.path.abspath(path)
parent = os.path.dirname(path)
fs = lt.file_storage()
if os.path.isdir(path):
    entries = []
    for root, dirs, files in os.walk(path):
        for f in files:
            full = os.path.join(root, f)
            entries.append(os.path.relpath(full, parent))
    for rel in sorted(entries, key=lambda p: p.encode()):
        fs.add_file(rel, os.path.getsize(os.path.join(parent, rel)))
else:
    fs.add_file(os.path.basename(path), os.path.getsize(path))

flags = {"v1": lt.create_torrent.v1_only, "v2": lt.create_torrent.v2_only, "hybrid": 0}[mode]
ct = lt.create_torrent(fs, piece_length, flags=flags)
lt.set_piece_hashes(ct, parent)
with open(out, "wb") as f:
    f.write(lt.bencode(ct.generate()))
