#!/usr/bin/env python3
"""Derives MediaPipe's face-mesh triangles (852) from the tessellation edges in
Models/face_mesh/face_mesh_connections.json and writes Models/face_mesh/face_mesh_triangles.json.

The edge list loses the triangles, so they are recovered: every 3-cycle of edges is a
candidate; a 3-cycle that is not a face ("separating triangle") shows up as edges shared by
more triangles than a surface allows (interior edges: 2, boundary edges: 1; boundary edges
are the ones the file lists in one direction only). The result is checked as a surface: edge
counts, Euler characteristic of a disc with the eye and mouth holes, 852 triangles, and one
consistent winding: (b − a) × (c − a) > 0 in image pixels (x right, y down) on a frontal face, checked
on the face mesh fixture of a real portrait (Tests/Fixtures/face_mesh/landmarks.json).

(MediaPipe's canonical_face_model.obj is a different triangulation: it also covers the eyes and
the mouth, so its faces are not the tessellation's.)
"""
import itertools
import json
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "Models" / "face_mesh"
VERTICES = 468
EXPECTED_TRIANGLES = 852
FIXTURE = ROOT / "Tests" / "Fixtures" / "face_mesh" / "landmarks.json"


def edge(a, b):
    return (a, b) if a < b else (b, a)


def main():
    connections = json.loads((FOLDER / "face_mesh_connections.json").read_text())
    directed = {tuple(e) for e in connections["tesselation_edges"]}
    edges = {edge(a, b) for a, b in directed}
    boundary = {edge(a, b) for a, b in directed if (b, a) not in directed}
    neighbours = defaultdict(set)
    for a, b in edges:
        neighbours[a].add(b)
        neighbours[b].add(a)

    cycles = {tuple(sorted((a, b, c))) for a, b in edges for c in neighbours[a] & neighbours[b]}
    uses = Counter(edge(*e) for t in cycles for e in itertools.combinations(t, 2))
    allowed = {e: 1 if e in boundary else 2 for e in edges}
    separating = [t for t in cycles if all(uses[edge(*e)] > allowed[edge(*e)] for e in itertools.combinations(t, 2))]
    faces = sorted(cycles - set(separating))

    uses = Counter(edge(*e) for t in faces for e in itertools.combinations(t, 2))
    assert all(uses[e] == allowed[e] for e in edges), "not a surface"
    holes = 3  # the outer contour bounds the disc; both eyes and the mouth are holes
    assert VERTICES - len(edges) + len(faces) == 1 - holes, "Euler characteristic"
    assert len(faces) == EXPECTED_TRIANGLES, len(faces)
    print(f"{len(cycles)} 3-cycles, separating (not faces): {separating}; {len(faces)} triangles")

    oriented = orient(faces, faces[0])
    points = json.loads(FIXTURE.read_text())["cases"][0]["points"]

    def area(t):
        (ax, ay), (bx, by), (cx, cy) = ((points[3 * v], points[3 * v + 1]) for v in t)
        return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)

    positive = sum(area(t) > 0 for t in oriented)
    if positive < len(oriented) / 2:
        oriented = [[t[0], t[2], t[1]] for t in oriented]
        positive = len(oriented) - positive
    assert positive >= 0.95 * len(oriented), f"{positive} of {len(oriented)} front-facing"
    print(f"{positive} of {len(oriented)} triangles front-facing on the fixture portrait")
    (FOLDER / "face_mesh_triangles.json").write_text(json.dumps({
        "source": "derived by tools/derive_face_mesh_triangles.py from face_mesh_connections.json "
                  "(mediapipe 0.10.14, Apache-2.0); winding: (b-a)x(c-a) > 0 in image pixels (y down) on a frontal face",
        "vertices": VERTICES,
        "triangles": oriented,
    }, separators=(",", ":")) + "\n")


def orient(faces, reference):
    """Gives every face the winding of `reference` by walking across shared edges: neighbours
    traverse their shared edge in opposite directions."""
    def directed_edges(t):
        return [(t[0], t[1]), (t[1], t[2]), (t[2], t[0])]

    by_edge = defaultdict(list)
    for t in faces:
        for a, b in directed_edges(t):
            by_edge[edge(a, b)].append(t)
    winding = {reference: tuple(reference)}
    queue = [reference]
    while queue:
        face = queue.pop()
        for a, b in directed_edges(winding[face]):
            for other in by_edge[edge(a, b)]:
                if other == face:
                    continue
                c = next(v for v in other if v not in (a, b))
                wanted = (b, a, c)
                if other in winding:
                    assert set(directed_edges(winding[other])) & {(b, a)}, "mesh is not orientable"
                else:
                    winding[other] = wanted
                    queue.append(other)
    assert len(winding) == len(faces), "mesh is not connected"
    return [list(winding[t]) for t in faces]


if __name__ == "__main__":
    main()
