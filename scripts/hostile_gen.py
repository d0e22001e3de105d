#!/usr/bin/env python3
"""Generates the hostile inputs of issue 10 (items 12, 13, 15) and, for each,
a model of about the same bytes in an ordinary shape. Used by scripts/hostile.sh.

    scripts/hostile_gen.py OUT_DIR

Writes OUT_DIR/<case>/threatmodel.(yaml|json) (+ component files). Pure
function of its arguments: the same files every run.
"""
import argparse
import json
import os

HEAD = "tmkit: 1\nid: H\ntitle: Hostile\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def json_model(target_bytes):
    """A JSON model of about target_bytes: assets with descriptions."""
    desc = "lorem ipsum dolor sit amet " * 8
    n = max(1, target_bytes // (len(desc) + 90))
    assets = [
        {"id": f"a{i}", "title": f"Asset {i}", "kind": "service", "zone": "z", "description": desc}
        for i in range(n)
    ]
    return {
        "tmkit": 1, "id": "H", "title": "Hostile",
        "scope": {
            "zones": [{"id": "z", "title": "Z", "trust": 1}],
            "assets": assets,
            "attackers": [{"id": "k", "title": "K", "zone": "z"}],
        },
    }


def merge_model(n, block):
    """n assets merging a base asset with `<<: *b`, on one line or in block style."""
    base = "{kind: service, zone: z}"
    t = "a title long enough to make the file about 3 MB with 9500 merges as in the issue - " * 3
    if block:
        lines = [HEAD, "scope:\n  zones:\n    - {id: z, title: Z, trust: 1}\n  attackers:\n    - {id: k, title: K, zone: z}\n  assets:\n",
                 f"    - {{id: a0, title: Base, <<: &b {base}}}\n"]
        lines += [f"    - <<: *b\n      id: a{i}\n      title: {t}{i}\n" for i in range(1, n)]
        return "".join(lines)
    items = [f"{{id: a0, title: Base, <<: &b {base}}}"] + [f"{{<<: *b, id: a{i}, title: {t}{i}}}" for i in range(1, n)]
    return HEAD + "scope: {zones: [{id: z, title: Z, trust: 1}], attackers: [{id: k, title: K, zone: z}], assets: [" + ", ".join(items) + "]}\n"


def merge_bomb(n, desc_bytes, aliased):
    """One 270 KB description merged into n assets (or, ordinary: written once)."""
    desc = ("x" * 79 + " ") * (desc_bytes // 80)
    out = [HEAD, "scope:\n  zones:\n    - {id: z, title: Z, trust: 1}\n  attackers:\n    - {id: k, title: K, zone: z}\n  assets:\n"]
    out.append(f"    - &d {{id: a0, title: Base, kind: service, zone: z, description: \"{desc}\"}}\n")
    for i in range(1, n):
        if aliased:
            out.append(f"    - {{<<: *d, id: a{i}, title: A{i}}}\n")
        else:
            out.append(f"    - {{id: a{i}, kind: service, zone: z, title: A{i}}}\n")
    return "".join(out)


def grid(assets, attackers):
    """assets x attackers, nothing answered (every question open)."""
    out = [HEAD, "scope:\n  zones:\n    - {id: z, title: Z, trust: 1}\n  assets:\n"]
    out += [f"    - {{id: a{i}, title: A{i}, kind: service, zone: z}}\n" for i in range(assets)]
    out.append("  attackers:\n")
    out += [f"    - {{id: k{i}, title: K{i}, zone: z}}\n" for i in range(attackers)]
    return "".join(out)


def zones(n, nested):
    out = [HEAD, "scope:\n  zones:\n"]
    for i in range(n):
        within = f", within: z{i-1}" if nested and i > 0 else ""
        out.append(f"    - {{id: z{i}, title: Zone {i}, trust: 1{within}}}\n")
    out.append(f"  assets:\n    - {{id: a, title: A, kind: service, zone: z{n-1}}}\n")
    out.append(f"  attackers:\n    - {{id: k, title: K, zone: z0}}\n")
    return "".join(out)


def component(i, children):
    assets = "".join(
        f"    - {{id: a{j}, title: Asset {j} of component {i}, kind: service, zone: z}}\n" for j in range(8)
    )
    comps = "".join(f"  - path: {c}\n" for c in children)
    return (f"tmkit: 1\nid: C{i}\ntitle: Component {i}\nscope:\n  zones:\n    - {{id: z, title: Z, trust: 1}}\n"
            f"  attackers:\n    - {{id: k, title: K, zone: z}}\n  assets:\n{assets}"
            + (f"components:\n{comps}" if comps else ""))


def components(d, n, nested):
    root = HEAD + "scope:\n  zones:\n    - {id: z, title: Z, trust: 1}\n  assets:\n    - {id: a, title: A, kind: service, zone: z}\n"
    root += "components:\n" + ("  - path: c1.yaml\n" if nested else "".join(f"  - path: c{i}.yaml\n" for i in range(1, n + 1)))
    write(f"{d}/threatmodel.yaml", root)
    for i in range(1, n + 1):
        children = [f"c{i+1}.yaml"] if nested and i < n else []
        write(f"{d}/c{i}.yaml", component(i, children))


def main():
    parser = argparse.ArgumentParser(
        description="Writes the hostile inputs of scripts/hostile.sh and their ordinary-shape twins."
    )
    parser.add_argument("out", help="directory to write the cases into (created)")
    out = parser.parse_args().out
    m = json_model(2_400_000)
    write(f"{out}/json-1line-2.4M/threatmodel.json", json.dumps(m, separators=(",", ":")))
    write(f"{out}/json-pretty-2.4M/threatmodel.json", json.dumps(m, indent=1))
    m = json_model(6_900_000)
    write(f"{out}/json-1line-6.9M/threatmodel.json", json.dumps(m, separators=(",", ":")))
    write(f"{out}/json-pretty-6.9M/threatmodel.json", json.dumps(m, indent=1))
    write(f"{out}/merge-1line-3M/threatmodel.yaml", merge_model(9_500, False))
    write(f"{out}/merge-block-3M/threatmodel.yaml", merge_model(9_500, True))
    write(f"{out}/merge-bomb-9000x270K/threatmodel.yaml", merge_bomb(9_000, 270_000, True))
    write(f"{out}/merge-none-9000x270K/threatmodel.yaml", merge_bomb(9_000, 270_000, False))
    write(f"{out}/grid-2000x2000/threatmodel.yaml", grid(2_000, 2_000))
    write(f"{out}/grid-3990x10/threatmodel.yaml", grid(3_990, 10))
    write(f"{out}/zones-nested-40000/threatmodel.yaml", zones(40_000, True))
    write(f"{out}/zones-flat-40000/threatmodel.yaml", zones(40_000, False))
    components(f"{out}/comp-nested-990", 990, True)
    components(f"{out}/comp-flat-990", 990, False)


if __name__ == "__main__":
    main()
