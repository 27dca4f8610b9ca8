#!/usr/bin/env python3
"""promcheck.py - talk to a real Prometheus for tests/integration/prometheus.sh.

  promcheck.py rules URL            every rule Prometheus loaded: "KIND<TAB>NAME<TAB>EXPR"
                                    (KIND alert or record; EXPR on one line)
  promcheck.py state URL NAME       an alerting rule's state: inactive, pending, firing
  promcheck.py query URL EXPR       evaluate EXPR now: prints the number of series;
                                    exit 0 with data, 1 without, 2 on an error
  promcheck.py dash FILE RANGE      the PromQL of a Grafana dashboard: every target's
                                    expr with $instance -> .* and $__rate_interval ->
                                    RANGE (what Grafana sends), one per line; then the
                                    template variables' label_values(METRIC, LABEL)
                                    as "label_values<TAB>METRIC<TAB>LABEL"
  promcheck.py labels URL METRIC LABEL   values of LABEL on METRIC's series (exit 1: none)
"""
import json
import sys
import urllib.parse
import urllib.request


def api(url, path, **params):
    q = urllib.parse.urlencode(params)
    with urllib.request.urlopen(f"{url}/api/v1/{path}?{q}", timeout=10) as r:
        d = json.load(r)
    if d.get("status") != "success":
        raise RuntimeError(d.get("error", "no success"))
    return d["data"]


def one_line(s):
    return " ".join(s.split())


def rules(url):
    for g in api(url, "rules")["groups"]:
        for r in g["rules"]:
            kind = "alert" if r["type"] == "alerting" else "record"
            print(f"{kind}\t{r['name']}\t{one_line(r['query'])}")
    return 0


def state(url, name):
    for g in api(url, "rules")["groups"]:
        for r in g["rules"]:
            if r["type"] == "alerting" and r["name"] == name:
                print(r["state"])
                return 0
    print(f"no alerting rule {name}", file=sys.stderr)
    return 2


def query(url, expr):
    try:
        d = api(url, "query", query=expr)
    except Exception as e:          # an HTTP 400 carries the parse error
        print(f"error: {e}")
        return 2
    res = d["result"]
    n = len(res) if isinstance(res, list) else 1
    print(n)
    return 0 if n else 1


def panels(d):
    for p in d.get("panels", []):
        yield p
        yield from panels(p)        # rows hold panels too


def dash(path, rng):
    d = json.load(open(path))
    for p in panels(d):
        for t in p.get("targets", []):
            e = t.get("expr")
            if e:
                print(one_line(e.replace("$__rate_interval", rng).replace("$instance", ".*")))
    for v in d.get("templating", {}).get("list", []):
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        if q and q.startswith("label_values(") and q.endswith(")"):
            metric, label = (x.strip() for x in q[len("label_values("):-1].split(","))
            print(f"label_values\t{metric}\t{label}")
    return 0


def labels(url, metric, label):
    vals = api(url, f"label/{label}/values", **{"match[]": metric})
    print(" ".join(vals))
    return 0 if vals else 1


def main():
    a = sys.argv[1:]
    cmds = {"rules": (rules, 1), "state": (state, 2), "query": (query, 2),
            "dash": (dash, 2), "labels": (labels, 3)}
    if not a or a[0] not in cmds or len(a) != cmds[a[0]][1] + 1:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[a[0]][0](*a[1:])


if __name__ == "__main__":
    sys.exit(main())
