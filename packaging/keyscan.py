#!/usr/bin/env python3
"""Fail when a product artefact holds a private key or a test certificate.

    keyscan.py [--repo DIR]... PATH...     scan every file under each PATH
    keyscan.py --self-test [--repo DIR]... prove that each rule finds what it should

What counts as a finding, in any file (binaries included, byte for byte):
  - a PEM private key block ("PRIVATE KEY-----": PKCS#8, PKCS#1, SEC1, encrypted);
  - the DER header of a private key: PKCS#8 (RSA, EC, Ed25519), PKCS#1 RSA, SEC1 EC;
  - a secret of a private key kept in the repository (--repo folders, e.g. fixtures/):
    its first RSA prime, in big-endian bytes, so a key embedded in any encoding that keeps
    the raw integer is found;
  - a certificate whose key is in the repository (its DER, or its public modulus): a test
    CA or test server certificate, which must never be a trusted anchor of the product.

Uses openssl(1) to read the repository's keys and certificates.
"""
import os
import re
import subprocess
import sys
import tempfile

PEM_PRIVATE = re.compile(rb"-----BEGIN (?:[A-Z0-9 ]+ )?PRIVATE KEY-----")
DER_PRIVATE = {
    "PKCS#8 RSA private key": re.compile(
        rb"\x30\x82..\x02\x01\x00\x30\x0d\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01\x05\x00\x04\x82",
        re.S),
    "PKCS#1 RSA private key": re.compile(rb"\x30\x82..\x02\x01\x00\x02\x82..\x00", re.S),
    # EC keys (P-256, P-384) by their inner SEC1 structure: version 1, the private key, then
    # the curve or the public key. Key *templates* (ring keeps some, without the key bytes)
    # do not match: the 32 or 48 key bytes must be there before the next field.
    "EC private key (P-256)": re.compile(
        rb"\x02\x01\x01\x04\x20.{32}(?:\xa0\x0a\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07|\xa1\x44\x03\x42\x00\x04)",
        re.S),
    "EC private key (P-384)": re.compile(
        rb"\x02\x01\x01\x04\x30.{48}(?:\xa0\x07\x06\x05\x2b\x81\x04\x00\x22|\xa1\x64\x03\x62\x00\x04)",
        re.S),
    "PKCS#8 Ed25519 private key": re.compile(
        rb"\x30\x2e\x02\x01\x00\x30\x05\x06\x03\x2b\x65\x70\x04\x22\x04\x20"),
}


def openssl(*args, data=None):
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True).stdout


def text_integer(text, label):
    """The hex integer after `label:` in openssl's -text output, as bytes."""
    m = re.search(label + rb":\s*\n((?:\s+[0-9a-f:]+\n)+)", text)
    if not m:
        return None
    digits = re.sub(rb"[\s:]", b"", m.group(1))
    raw = bytes.fromhex(digits.decode())
    return raw.lstrip(b"\x00")


def repo_material(dirs):
    """(secrets, public) from the repository: {name: prime1}, {name: [certificate DER, modulus]}."""
    secrets, public, key_moduli = {}, {}, {}
    for d in dirs:
        for root, _, files in os.walk(d):
            for f in sorted(files):
                path = os.path.join(root, f)
                data = open(path, "rb").read()
                if PEM_PRIVATE.search(data):
                    try:
                        t = openssl("pkey", "-in", path, "-noout", "-text")
                    except subprocess.CalledProcessError:
                        continue
                    p = text_integer(t, rb"prime1")
                    n = text_integer(t, rb"modulus")
                    if p:
                        secrets[path] = p
                    if n:
                        key_moduli[n] = path
    for d in dirs:
        for root, _, files in os.walk(d):
            for f in sorted(files):
                if not f.endswith(".der"):
                    continue
                path = os.path.join(root, f)
                try:
                    t = openssl("x509", "-inform", "DER", "-in", path, "-noout", "-text")
                except subprocess.CalledProcessError:
                    continue
                n = text_integer(t, rb"Modulus")
                if n and n in key_moduli:
                    public[path] = [open(path, "rb").read(), n]
    return secrets, public


def scan_bytes(name, data, secrets, public):
    found = []
    if PEM_PRIVATE.search(data):
        found.append(f"{name}: PEM private key block")
    for what, pattern in DER_PRIVATE.items():
        if pattern.search(data):
            found.append(f"{name}: {what} (DER header)")
    for key, prime in secrets.items():
        if prime in data:
            found.append(f"{name}: a prime of the repository's key {key}")
    for cert, (der, modulus) in public.items():
        if der in data:
            found.append(f"{name}: the certificate {cert}, whose key is in the repository")
        elif modulus in data:
            found.append(f"{name}: the public key of {cert}, whose private key is in the repository")
    return found


def scan_paths(paths, secrets, public):
    found, files = [], 0
    for top in paths:
        walk = [(os.path.dirname(top), None, [os.path.basename(top)])] if os.path.isfile(top) else os.walk(top)
        for root, _, names in walk:
            for f in names:
                path = os.path.join(root, f)
                if os.path.islink(path) or not os.path.isfile(path):
                    continue
                files += 1
                found += scan_bytes(path, open(path, "rb").read(), secrets, public)
    return found, files


def self_test(secrets, public):
    """Every rule must fire on a planted sample, and stay quiet on clean bytes."""
    assert secrets and public, "the repository folders hold no key to test with"
    key = next(iter(secrets))
    cert, (der, modulus) = next(iter(public.items()))
    pem = open(key, "rb").read()
    pkcs8 = openssl("pkey", "-in", key, "-outform", "DER")
    pkcs1 = openssl("rsa", "-in", key, "-outform", "DER", "-traditional")
    ec = openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-outform", "DER")
    ed = openssl("genpkey", "-algorithm", "ED25519", "-outform", "DER")
    padding = os.urandom(4096)
    samples = {
        "pem": padding + pem + padding,
        "pkcs8": padding + pkcs8 + padding,
        "pkcs1": padding + pkcs1 + padding,
        "ec": padding + ec + padding,
        "ed25519": padding + ed + padding,
        "prime": padding + secrets[key] + padding,
        "certificate": padding + der + padding,
        "modulus": padding + modulus + padding,
    }
    for name, data in samples.items():
        found = scan_bytes(name, data, secrets, public)
        assert found, f"self-test: the {name} sample was not found"
    clean = scan_bytes("clean", os.urandom(1 << 20), secrets, public)
    assert not clean, f"self-test: false finding {clean}"
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "blob"), "wb").write(samples["pkcs8"])
        found, files = scan_paths([d], secrets, public)
        assert files == 1 and found, "self-test: a planted file was not found"
    print(f"keyscan self-test: {len(samples)} planted samples found, 1 MiB of random bytes clean")


def main(argv):
    repos, paths, test = [], [], False
    it = iter(argv)
    for a in it:
        if a == "--repo":
            repos.append(next(it))
        elif a == "--self-test":
            test = True
        else:
            paths.append(a)
    secrets, public = repo_material(repos)
    if test:
        self_test(secrets, public)
        if not paths:
            return 0
    found, files = scan_paths(paths, secrets, public)
    for f in found:
        print("FOUND", f, file=sys.stderr)
    print(f"keyscan: {files} files scanned against {len(secrets)} repository keys and "
          f"{len(public)} test certificates: {len(found)} finding(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
