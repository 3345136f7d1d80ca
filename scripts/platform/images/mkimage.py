#!/usr/bin/env python3
"""Single-layer OCI images from a directory, without a daemon, a network pull or a base image.

  mkimage.py archive ROOTFS REF OUT.tar [options]   an OCI archive (`ctr images import` reads it)
  mkimage.py push ROOTFS REGISTRY REPO:TAG [options] push to a registry over plain HTTP
                                                     (blobs it already has are not sent again)
options: --entrypoint JSON  --cmd JSON  --env K=V (repeatable)  --port N (repeatable)
         --user USER  --workdir DIR

The layer is a gzip'd tar of ROOTFS with numeric root ownership and mtime 0, so the same
directory always gives the same digests (the push is skipped when the tag already points at
that manifest). Used by scripts/platform/lib/node.sh (the pause image) and registry.sh (the
fixture-http test image)."""
import argparse, gzip, hashlib, io, json, os, sys, tarfile, urllib.error, urllib.request

MANIFEST = "application/vnd.oci.image.manifest.v1+json"
CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def layer_tar(rootfs):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for dp, dns, fns in os.walk(rootfs):
            dns.sort()
            for n in sorted(dns) + sorted(fns):
                full = os.path.join(dp, n)
                ti = t.gettarinfo(full, os.path.relpath(full, rootfs))
                ti.uid = ti.gid = 0
                ti.uname = ti.gname = ""
                ti.mtime = 0
                if ti.isfile():
                    with open(full, "rb") as f:
                        t.addfile(ti, f)
                else:
                    t.addfile(ti)
    return buf.getvalue()


def image(a):
    raw = layer_tar(a.rootfs)
    layer = gzip.compress(raw, compresslevel=6, mtime=0)
    cfg = {
        "architecture": "amd64",
        "os": "linux",
        "config": {
            "Env": ["PATH=/bin:/usr/bin:/sbin:/usr/sbin"] + a.env,
            "Entrypoint": json.loads(a.entrypoint),
            "Cmd": json.loads(a.cmd),
            "WorkingDir": a.workdir,
        },
        "rootfs": {"type": "layers", "diff_ids": [sha(raw)]},
        "history": [{"created_by": "paved scripts/platform/images/mkimage.py"}],
    }
    if a.port:
        cfg["config"]["ExposedPorts"] = {f"{p}/tcp": {} for p in a.port}
    if a.user:
        cfg["config"]["User"] = a.user
    cfgb = json.dumps(cfg, sort_keys=True, separators=(",", ":")).encode()
    man = {
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "config": {"mediaType": CONFIG, "digest": sha(cfgb), "size": len(cfgb)},
        "layers": [{"mediaType": LAYER, "digest": sha(layer), "size": len(layer)}],
    }
    manb = json.dumps(man, sort_keys=True, separators=(",", ":")).encode()
    return layer, cfgb, manb


def archive(a):
    layer, cfgb, manb = image(a)
    tag = a.ref.rsplit(":", 1)[-1]
    idx = {"schemaVersion": 2, "manifests": [{
        "mediaType": MANIFEST, "digest": sha(manb), "size": len(manb),
        "annotations": {"io.containerd.image.name": a.ref, "org.opencontainers.image.ref.name": tag}}]}
    tmp = a.out + ".tmp"
    with tarfile.open(tmp, "w") as t:
        def add(name, data):
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
        add("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        add("index.json", json.dumps(idx).encode())
        for b in (layer, cfgb, manb):
            add("blobs/sha256/" + sha(b)[7:], b)
    os.replace(tmp, a.out)
    print(a.ref, sha(manb))


def http(method, url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def push(a):
    layer, cfgb, manb = image(a)
    repo, tag = a.ref.rsplit(":", 1)
    base = f"http://{a.registry}/v2/{repo}"
    st, hd, _ = http("HEAD", f"{base}/manifests/{tag}", headers={"Accept": MANIFEST})
    if st == 200 and hd.get("Docker-Content-Digest") == sha(manb):
        print(f"{a.registry}/{a.ref} {sha(manb)} (already there)")
        return
    for blob in (layer, cfgb):
        d = sha(blob)
        if http("HEAD", f"{base}/blobs/{d}")[0] == 200:
            continue
        st, hd, body = http("POST", f"{base}/blobs/uploads/")
        if st != 202:
            sys.exit(f"push {a.ref}: starting a blob upload: HTTP {st} {body[:200]!r}")
        loc = hd["Location"]
        if loc.startswith("/"):
            loc = f"http://{a.registry}{loc}"
        loc += ("&" if "?" in loc else "?") + "digest=" + d
        st, _, body = http("PUT", loc, data=blob, headers={"Content-Type": "application/octet-stream"})
        if st != 201:
            sys.exit(f"push {a.ref}: uploading blob {d}: HTTP {st} {body[:200]!r}")
    st, _, body = http("PUT", f"{base}/manifests/{tag}", data=manb, headers={"Content-Type": MANIFEST})
    if st != 201:
        sys.exit(f"push {a.ref}: manifest: HTTP {st} {body[:200]!r}")
    print(f"{a.registry}/{a.ref} {sha(manb)}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="action", required=True)
    pa = sub.add_parser("archive")
    pa.add_argument("rootfs"); pa.add_argument("ref"); pa.add_argument("out")
    pp = sub.add_parser("push")
    pp.add_argument("rootfs"); pp.add_argument("registry"); pp.add_argument("ref")
    for q in (pa, pp):
        q.add_argument("--entrypoint", default="null"); q.add_argument("--cmd", default="null")
        q.add_argument("--env", action="append", default=[]); q.add_argument("--port", action="append", default=[])
        q.add_argument("--user", default=""); q.add_argument("--workdir", default="/")
    a = p.parse_args()
    archive(a) if a.action == "archive" else push(a)


if __name__ == "__main__":
    main()
