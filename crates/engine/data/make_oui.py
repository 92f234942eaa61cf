#!/usr/bin/env python3
"""Writes oui.tsv: the MA-L (24-bit) assignments of the IEEE registry whose
organisation name matches one of the vendor keywords below (see
docs/recognition.md, "MAC organisations", for why the table is filtered).

usage: make_oui.py OUI_CSV DATE > oui.tsv
OUI_CSV is the registry in CSV form as Debian's ieee-data package ships it
(oui.csv; columns Registry, Assignment, Organization Name, Address)."""
import csv
import sys

KEYWORDS = [
    "extron", "clearone", "biamp", "audinate", "avaya", "radvision", "igloo",
    "shure", "qsc", "crestron", "yamaha", "polycom", "logitech", "barco",
    "sony", "panasonic", "christie", "seiko epson", "nec corporation",
    "nec display", "samsung", "lg electronics", "apple", "microsoft",
    "raspberry", "dell", "hewlett", "lenovo", "intel corporate", "bose",
    "sennheiser", "focusrite", "aver information", "vaddio", "legrand",
    "kramer", "amx", "harman", "atlona", "netgear", "tp-link", "cisco",
    "juniper", "aruba", "realtek", "tandberg", "lifesize", "zoom video",
    "symetrix", "audio-technica", "newtek", "blackmagic",
    "matrox", "riedel", "clear-com", "vmware", "attero", "q-sys",
    "bosch security", "televic", "d&b audiotechnik", "allen & heath",
    "neat", "jabra", "gn audio", "yealink", "grandstream", "ubiquiti",
]

def main():
    path, date = sys.argv[1], sys.argv[2]
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["Registry"] != "MA-L":
                continue
            name = " ".join(r["Organization Name"].split())
            low = name.lower()
            if any(k in low for k in KEYWORDS):
                rows.append((r["Assignment"].upper(), name))
    rows.sort()
    print(f"# IEEE MA-L registry (oui.csv of Debian ieee-data {date}), filtered by make_oui.py")
    print("# prefix\torganisation")
    for a, n in rows:
        print(f"{a}\t{n}")

main()
