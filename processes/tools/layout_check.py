#!/usr/bin/env python3
"""Check a Camunda 7 BPMN file's model wiring and diagram layout.

Reads the file and never changes it. Usage:

    python processes/tools/layout_check.py [processes/risk_disposal.bpmn]

It checks the following and exits 1 if any check fails:
  * every flow node / boundary event has exactly one BPMNShape, and every
    sequence flow has exactly one BPMNEdge with at least two waypoints;
  * sourceRef/targetRef point at existing nodes and match the nodes'
    <bpmn:incoming>/<bpmn:outgoing> children;
  * every flow node is in exactly one lane, and its shape lies inside that
    lane's band; every lane lies inside the participant;
  * boundary events are attached to an existing activity and sit on the host's
    bottom edge;
  * every exclusive gateway with several outgoing flows has a `default` that is
    one of them and has no condition, and its other outgoing flows have one;
  * there is no scriptTask, camunda:script or execution/task listener script;
  * each edge starts on its source's border and ends on its target's border,
    its segments are horizontal or vertical, no segment runs through a shape
    other than its own ends, and no two edges lie on top of each other.
Edge crossings, and labels that overlap a shape, another label or an edge, are
listed as notes; they do not fail the check.
"""
import sys
from itertools import combinations
from pathlib import Path

from lxml import etree

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
}
NOT_NODES = {"sequenceFlow", "laneSet", "textAnnotation", "association",
             "dataObject", "dataObjectReference", "dataStoreReference",
             "extensionElements", "documentation", "ioSpecification", "property"}
TOL = 1.0


def local(el):
    return etree.QName(el).localname


class Checker:
    def __init__(self, path):
        self.path = Path(path)
        self.tree = etree.parse(str(self.path))
        self.errors = []
        self.notes = []

    def err(self, msg):
        self.errors.append(msg)

    # ------------------------------------------------------------ model
    def load(self):
        root = self.tree.getroot()
        procs = root.findall("bpmn:process", NS)
        self.nodes, self.flows = {}, {}
        self.node_proc = {}
        for proc in procs:
            for el in proc:
                if not isinstance(el.tag, str):
                    continue
                name = local(el)
                if name == "sequenceFlow":
                    self.flows[el.get("id")] = el
                elif name not in NOT_NODES:
                    self.nodes[el.get("id")] = el
                    self.node_proc[el.get("id")] = proc
        self.procs = procs
        self.shapes, self.edges = {}, {}
        for sh in root.iter(f"{{{NS['bpmndi']}}}BPMNShape"):
            self.shapes.setdefault(sh.get("bpmnElement"), []).append(sh)
        for ed in root.iter(f"{{{NS['bpmndi']}}}BPMNEdge"):
            self.edges.setdefault(ed.get("bpmnElement"), []).append(ed)

    def bounds(self, bpmn_id):
        shapes = self.shapes.get(bpmn_id) or []
        if len(shapes) != 1:
            return None
        b = shapes[0].find("dc:Bounds", NS)
        return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))

    def check_model(self):
        for fid, fl in self.flows.items():
            src, tgt = fl.get("sourceRef"), fl.get("targetRef")
            for ref, kind in ((src, "outgoing"), (tgt, "incoming")):
                if ref not in self.nodes:
                    self.err(f"flow {fid}: {kind[:2] == 'ou' and 'sourceRef' or 'targetRef'} {ref} does not exist")
                    continue
                listed = [e.text for e in self.nodes[ref].findall(f"bpmn:{kind}", NS)]
                if listed.count(fid) != 1:
                    self.err(f"node {ref}: <bpmn:{kind}> should list {fid} once, lists it {listed.count(fid)}x")
        for nid, el in self.nodes.items():
            for kind, attr in (("incoming", "targetRef"), ("outgoing", "sourceRef")):
                for ref in el.findall(f"bpmn:{kind}", NS):
                    fl = self.flows.get(ref.text)
                    if fl is None:
                        self.err(f"node {nid}: <bpmn:{kind}> {ref.text} is not a sequence flow")
                    elif fl.get(attr) != nid:
                        self.err(f"node {nid}: <bpmn:{kind}> {ref.text} but that flow's {attr} is {fl.get(attr)}")
            if local(el) == "boundaryEvent":
                host = el.get("attachedToRef")
                if host not in self.nodes:
                    self.err(f"boundary event {nid}: attachedToRef {host} does not exist")
            if local(el) == "exclusiveGateway":
                outs = [f for f in self.flows.values() if f.get("sourceRef") == nid]
                if len(outs) > 1:
                    default = el.get("default")
                    if default not in [f.get("id") for f in outs]:
                        self.err(f"gateway {nid}: default={default!r} is not one of its outgoing flows")
                    for f in outs:
                        has_cond = f.find("bpmn:conditionExpression", NS) is not None
                        if f.get("id") == default and has_cond:
                            self.err(f"gateway {nid}: default flow {default} has a condition")
                        if f.get("id") != default and not has_cond:
                            self.err(f"gateway {nid}: flow {f.get('id')} has no condition")
        root = self.tree.getroot()
        for ns, bad in (("bpmn", "scriptTask"), ("bpmn", "script"), ("camunda", "script")):
            for el in root.iter(f"{{{NS[ns]}}}{bad}"):
                owner = next((a.get("id") for a in el.iterancestors() if a.get("id")), None)
                self.err(f"forbidden {ns}:{bad}: {el.get('id') or 'in ' + str(owner)}")

    # ------------------------------------------------------------ lanes
    def check_lanes(self):
        lane_of = {}
        self.lane_bounds = {}
        for proc in self.procs:
            for lane in proc.iter(f"{{{NS['bpmn']}}}lane"):
                lid = lane.get("id")
                self.lane_bounds[lid] = self.bounds(lid)
                if self.lane_bounds[lid] is None:
                    self.err(f"lane {lid}: needs exactly one BPMNShape")
                for ref in lane.findall("bpmn:flowNodeRef", NS):
                    lane_of.setdefault(ref.text, []).append(lid)
                    if ref.text not in self.nodes:
                        self.err(f"lane {lid}: flowNodeRef {ref.text} does not exist")
        if not self.lane_bounds:
            return
        parts = {p.get("processRef"): p.get("id")
                 for p in self.tree.getroot().iter(f"{{{NS['bpmn']}}}participant")}
        for proc in self.procs:
            pb = self.bounds(parts.get(proc.get("id")))
            for lane in proc.iter(f"{{{NS['bpmn']}}}lane"):
                lb = self.lane_bounds.get(lane.get("id"))
                if pb and lb and not inside(lb, pb):
                    self.err(f"lane {lane.get('id')} {lb} is not inside its participant {pb}")
        for nid in self.nodes:
            lanes = lane_of.get(nid, [])
            if len(lanes) != 1:
                self.err(f"node {nid}: in {len(lanes)} lanes {lanes}, expected exactly 1")
                continue
            nb, lb = self.bounds(nid), self.lane_bounds.get(lanes[0])
            if nb and lb and not inside(nb, lb):
                self.err(f"node {nid}: shape {nb} is not inside lane {lanes[0]} {lb}")

    # ------------------------------------------------------------ shapes & edges
    def check_di(self):
        for nid, el in self.nodes.items():
            n = len(self.shapes.get(nid, []))
            if n != 1:
                self.err(f"node {nid}: {n} BPMNShapes, expected 1")
            if local(el) == "boundaryEvent":
                b, hb = self.bounds(nid), self.bounds(el.get("attachedToRef"))
                if b and hb:
                    cx, cy = b[0] + b[2] / 2, b[1] + b[3] / 2
                    if abs(cy - (hb[1] + hb[3])) > TOL or not hb[0] <= cx <= hb[0] + hb[2]:
                        self.err(f"boundary event {nid}: centre ({cx},{cy}) is not on the bottom edge of {el.get('attachedToRef')}")
        for fid, fl in self.flows.items():
            eds = self.edges.get(fid, [])
            if len(eds) != 1:
                self.err(f"flow {fid}: {len(eds)} BPMNEdges, expected 1")
                continue
            pts = [(float(p.get("x")), float(p.get("y"))) for p in eds[0].findall("di:waypoint", NS)]
            if len(pts) < 2:
                self.err(f"flow {fid}: {len(pts)} waypoints, expected at least 2")
                continue
            src, tgt = fl.get("sourceRef"), fl.get("targetRef")
            for pt, ref, end in ((pts[0], src, "starts"), (pts[-1], tgt, "ends")):
                if ref in self.nodes and self.bounds(ref) and not on_border(pt, self.bounds(ref), self.kind(ref)):
                    self.err(f"flow {fid}: {end} at {pt}, not on the border of {ref} {self.bounds(ref)}")
            for a, b in zip(pts, pts[1:]):
                if a[0] != b[0] and a[1] != b[1]:
                    self.err(f"flow {fid}: segment {a}->{b} is not orthogonal")
            for nid in self.nodes:
                nb = self.bounds(nid)
                if not nb:
                    continue
                shrink = (nb[0] + 2, nb[1] + 2, nb[2] - 4, nb[3] - 4)
                segs = list(zip(pts, pts[1:]))
                for i, (a, b) in enumerate(segs):
                    if nid in (src, tgt) and len(segs) == 1:
                        # a one-segment edge only has to leave/enter through the border
                        continue
                    if seg_hits_box(a, b, shrink):
                        self.err(f"flow {fid}: segment {a}->{b} runs through {nid}")
        self.check_overlaps_and_crossings()
        self.check_labels()

    def check_labels(self):
        labels = []
        for ref, items in list(self.shapes.items()) + list(self.edges.items()):
            for item in items:
                lb = item.find("bpmndi:BPMNLabel/dc:Bounds", NS)
                if lb is not None:
                    labels.append((ref, tuple(float(lb.get(k)) for k in ("x", "y", "width", "height"))))
        segs = []
        for fid, eds in self.edges.items():
            pts = [(float(p.get("x")), float(p.get("y"))) for p in eds[0].findall("di:waypoint", NS)]
            segs += [(fid, a, b) for a, b in zip(pts, pts[1:])]
        for ref, lb in labels:
            for nid in self.nodes:
                nb = self.bounds(nid)
                if nid != ref and nb and boxes_overlap(lb, nb):
                    self.notes.append(f"label of {ref} overlaps shape {nid}")
            for fid, a, b in segs:
                if fid != ref and seg_hits_box(a, b, lb):
                    self.notes.append(f"label of {ref} overlaps edge {fid}")
        for (r1, b1), (r2, b2) in combinations(labels, 2):
            if boxes_overlap(b1, b2):
                self.notes.append(f"labels of {r1} and {r2} overlap")

    def kind(self, nid):
        tag = local(self.nodes[nid])
        if tag.endswith("Gateway"):
            return "gateway"
        if tag.endswith("Event"):
            return "event"
        return "box"

    def check_overlaps_and_crossings(self):
        segs = []
        for fid in self.flows:
            eds = self.edges.get(fid, [])
            if len(eds) != 1:
                continue
            pts = [(float(p.get("x")), float(p.get("y"))) for p in eds[0].findall("di:waypoint", NS)]
            segs += [(fid, a, b) for a, b in zip(pts, pts[1:])]
        crossings = []
        for (f1, a1, b1), (f2, a2, b2) in combinations(segs, 2):
            if f1 == f2:
                continue
            h1, h2 = a1[1] == b1[1], a2[1] == b2[1]
            if h1 == h2:  # parallel
                if h1 and a1[1] == a2[1] and overlap(a1[0], b1[0], a2[0], b2[0]) > TOL:
                    self.err(f"flows {f1} and {f2} overlap on y={a1[1]}")
                if not h1 and a1[0] == a2[0] and overlap(a1[1], b1[1], a2[1], b2[1]) > TOL:
                    self.err(f"flows {f1} and {f2} overlap on x={a1[0]}")
                continue
            hseg, vseg = ((a1, b1), (a2, b2)) if h1 else ((a2, b2), (a1, b1))
            x, y = vseg[0][0], hseg[0][1]
            if strictly_between(x, hseg[0][0], hseg[1][0]) and strictly_between(y, vseg[0][1], vseg[1][1]):
                crossings.append((f1, f2, (x, y)))
        for f1, f2, pt in crossings:
            self.notes.append(f"crossing: {f1} x {f2} at {pt}")
        self.notes.append(f"{len(crossings)} edge crossing(s)")

    def run(self):
        self.load()
        self.check_model()
        self.check_lanes()
        self.check_di()
        n_nodes, n_flows = len(self.nodes), len(self.flows)
        print(f"{self.path}: {n_nodes} flow nodes, {n_flows} sequence flows, "
              f"{sum(len(v) for v in self.shapes.values())} shapes, "
              f"{sum(len(v) for v in self.edges.values())} edges")
        for n in self.notes:
            print("  note:", n)
        for e in self.errors:
            print("  ERROR:", e)
        print("OK" if not self.errors else f"FAILED: {len(self.errors)} error(s)")
        return not self.errors


def inside(inner, outer):
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return x >= ox - TOL and y >= oy - TOL and x + w <= ox + ow + TOL and y + h <= oy + oh + TOL


def on_border(pt, b, kind):
    x, y, w, h = b
    px, py = pt
    cx, cy = x + w / 2, y + h / 2
    if kind == "event":
        return abs(((px - cx) ** 2 + (py - cy) ** 2) ** 0.5 - w / 2) <= TOL + 0.5
    if kind == "gateway":
        return abs(abs(px - cx) / (w / 2) + abs(py - cy) / (h / 2) - 1) <= 0.05
    on_v = (abs(px - x) <= TOL or abs(px - x - w) <= TOL) and y - TOL <= py <= y + h + TOL
    on_h = (abs(py - y) <= TOL or abs(py - y - h) <= TOL) and x - TOL <= px <= x + w + TOL
    return on_v or on_h


def seg_hits_box(a, b, box):
    x, y, w, h = box
    lo_x, hi_x = sorted((a[0], b[0]))
    lo_y, hi_y = sorted((a[1], b[1]))
    return hi_x > x and lo_x < x + w and hi_y > y and lo_y < y + h


def boxes_overlap(a, b):
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def overlap(a1, b1, a2, b2):
    lo1, hi1 = sorted((a1, b1))
    lo2, hi2 = sorted((a2, b2))
    return min(hi1, hi2) - max(lo1, lo2)


def strictly_between(v, a, b):
    lo, hi = sorted((a, b))
    return lo < v < hi


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "risk_disposal.bpmn"
    sys.exit(0 if Checker(target).run() else 1)
