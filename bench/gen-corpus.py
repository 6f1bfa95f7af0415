#!/usr/bin/env python3
"""An independent corpus generator for the benchmark: a trustpress site written by code that
shares nothing with examples/gen-site.rs, so a speed-up that only suits one generator's shape
shows up as a difference between the two.

usage: bench/gen-corpus.py N OUT_DIR

Shape (different from gen-site on purpose): policies of 1 to 9 KB (long prose, nested lists,
block quotes, a definition-style table, code in python/json/toml/sh in one policy of three),
links by relative `.md` path and by `control:` / `evidence:` scheme, one evidence register file
per 2,000 items, N/4 evidence items, N/20 risks, N/20 findings, 30 suppliers. Deterministic:
the same N always writes the same bytes.
"""
import os
import random
import sys

LEXICON = (
    "account authentication authorisation baseline boundary capacity certificate classification "
    "cloud configuration continuity contractor cryptography custodian deletion deployment device "
    "disposal escalation exception firewall governance hardening identity inventory jurisdiction "
    "least-privilege licence malware media mobile onboarding offboarding password perimeter "
    "personnel physical privileged provisioning recovery redundancy register remote resilience "
    "responsibility safeguard secret segregation session staging storage subcontractor telemetry "
    "threat token transfer vendor visitor workstation"
).split()

THEMES = [(5, 37), (6, 8), (7, 14), (8, 34)]
CONTROLS = [f"A.{t}.{i}" for t, n in THEMES for i in range(1, n + 1)]
LEVELS = ["public", "customer", "customer", "internal"]


def prose(rng, sentences):
    out = []
    for _ in range(sentences):
        words = rng.choices(LEXICON, k=rng.randint(8, 22))
        out.append(words[0].capitalize() + " " + " ".join(words[1:]) + ".")
    return " ".join(out)


def code_block(rng, i):
    lang = ["python", "json", "toml", "sh"][i % 4]
    body = {
        "python": "def rotate(key_id: str, days: int = 90) -> bool:\n"
        "    \"\"\"Rotate a key older than `days`.\"\"\"\n"
        "    return age(key_id) > days  # checked nightly\n",
        "json": '{\n  "retention_days": 365,\n  "owner": "security",\n  "tags": ["audit", "backup"]\n}\n',
        "toml": '[backup]\nschedule = "0 2 * * *"\nencrypted = true\ncopies = 3\n',
        "sh": "#!/bin/sh\nset -eu\nfind /var/log -name '*.gz' -mtime +30 -delete\necho \"done: $(date -u)\"\n",
    }[lang]
    return f"```{lang}\n{body}```\n"


def policy(rng, i, n, evidence_n):
    title = f"{LEXICON[i % len(LEXICON)].capitalize()} standard {i}"
    level = LEVELS[(i * 7) % len(LEVELS)]
    status = "draft" if i % 17 == 5 else "approved"
    front = [
        "---",
        f"title: {title}",
        f"owner: Team {i % 13}",
        f'version: "{1 + i % 4}.{i % 10}"',
        f"status: {status}",
    ]
    if status == "approved":
        front.append(f"approved: 2026-0{1 + i % 9}-1{i % 10}")
    front += [
        f"review_by: 2027-{1 + i % 12:02d}-2{i % 8}",
        f"classification: {level}",
        f"controls: [{CONTROLS[(i * 3) % 93]}]",
        "---",
        "",
    ]
    body = [f"# Overview\n\n{prose(rng, rng.randint(2, 6))}\n"]
    sections = rng.randint(2, 7)
    for s in range(sections):
        body.append(f"## Section {s + 1}: {rng.choice(LEXICON)}\n\n{prose(rng, rng.randint(3, 9))}\n")
        if s % 2 == 0:
            for _ in range(rng.randint(2, 5)):
                body.append(f"1. {prose(rng, 1)}\n   - {prose(rng, 1)}\n")
            body.append("")
        if s % 3 == 1:
            body.append(f"> {prose(rng, 2)}\n")
        if s == 1:
            body.append("| Term | Meaning |\n|---|---|\n" + "".join(
                f"| {rng.choice(LEXICON)} | {prose(rng, 1)} |\n" for _ in range(3)))
    if i % 3 == 0:
        body.append(code_block(rng, i))
    other = (i * 31 + 7) % n
    body.append(
        f"Related: [standard {other}](p-{other:06d}.md), control [{CONTROLS[i % 93]}](control:{CONTROLS[i % 93]}) "
        f"and [its record](evidence:REC-{i % evidence_n:06d}).\n"
    )
    return "\n".join(front) + "\n".join(body)


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    n, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(27001)
    evidence_n, risks_n, findings_n = max(1, n // 4), max(1, n // 20), max(1, n // 20)
    for d in ["policies", "controls", "evidence", "risks", "findings", "suppliers"]:
        os.makedirs(os.path.join(out, d), exist_ok=True)
    write(os.path.join(out, "site.yaml"),
          "title: Corpus Trust Center\nbase_url: https://corpus.example/\norganisation:\n"
          "  name: Corpus GmbH\n  contact_email: trust@corpus.example\ncertificate:\n"
          "  status: certified\n  reference: CORP-27001\n  issued: 2026-03-01\n  expires: 2029-02-28\n"
          "defaults:\n  controls: {classification: public}\n  suppliers: {classification: public}\n")
    write(os.path.join(out, "scope.md"),
          "---\ntitle: Scope\nlegal_entity: Corpus GmbH\nservices: [Corpus Cloud]\nlocations: [Berlin]\n"
          "hosted_environments: [eu-central-1]\nupdated: 2026-10-01\n---\nThe ISMS covers Corpus Cloud.\n")
    for i in range(n):
        write(os.path.join(out, f"policies/p-{i:06d}.md"), policy(rng, i, n, evidence_n))
    lines = []
    for k, c in enumerate(CONTROLS):
        if k % 19 == 4:
            lines.append(f"- control: {c}\n  applicable: false\n  justification: {prose(rng, 1)}")
            continue
        status = ["implemented", "implemented", "partially-implemented", "planned"][k % 4]
        pols = ", ".join(f"p-{(k * 11 + j) % n:06d}" for j in range(3))
        lines.append(f"- control: {c}\n  applicable: true\n  status: {status}\n  policies: [{pols}]\n"
                     f"  evidence: [REC-{k % evidence_n:06d}]\n  justification: {prose(rng, 1)}")
    write(os.path.join(out, "controls/mappings.yaml"), "\n".join(lines) + "\n")
    for chunk in range(0, evidence_n, 2000):
        rows = []
        for i in range(chunk, min(evidence_n, chunk + 2000)):
            rows.append(f"- id: REC-{i:06d}\n  title: Record {i}\n  kind: record\n  owner: Team {i % 13}\n"
                        f"  collected: 2026-0{1 + i % 9}-0{1 + i % 9}\n  description: {prose(rng, 1)}\n"
                        f"  classification: {LEVELS[i % 4]}")
        write(os.path.join(out, f"evidence/records-{chunk // 2000:03d}.yaml"), "\n".join(rows) + "\n")
    risks = []
    for i in range(risks_n):
        risks.append(f"- id: RSK-{i:05d}\n  title: {prose(rng, 1)[:60].rstrip('.')}\n  asset: Asset {i % 29}\n"
                     f"  threat: {prose(rng, 1)}\n  likelihood: {1 + i % 5}\n  impact: {1 + (i * 2) % 5}\n"
                     f"  treatment: mitigate\n  controls: [{CONTROLS[(i * 7) % 93]}]\n  review_by: 2027-0{1 + i % 9}-15\n"
                     f"  status: treated\n  classification: {['customer', 'internal'][i % 2]}")
    write(os.path.join(out, "risks/register.yaml"), "\n".join(risks) + "\n")
    kinds = ["minor-nonconformity", "observation", "opportunity", "strength"]
    findings = []
    for i in range(findings_n):
        kind = kinds[i % 4]
        status = "closed" if kind == "strength" else ["open", "closed"][i % 2]
        findings.append(f"- id: FND-{i:05d}\n  title: {prose(rng, 1)[:50].rstrip('.')}\n  kind: {kind}\n"
                        f"  source: Surveillance audit\n  raised: 2026-05-0{1 + i % 9}\n  controls: [{CONTROLS[(i * 5) % 93]}]\n"
                        f"  owner: Team {i % 13}\n  due: 2027-0{1 + i % 9}-01\n  status: {status}\n"
                        f"  description: {prose(rng, 2)}\n  classification: {['customer', 'internal'][i % 2]}")
    write(os.path.join(out, "findings/register.yaml"), "\n".join(findings) + "\n")
    sup = [f"- id: vendor-{i:02d}\n  name: Vendor {i}\n  service: {prose(rng, 1)[:40].rstrip('.')}\n"
           f"  data: Account data\n  location: EU\n  subprocessor: {str(i % 3 == 0).lower()}\n"
           f"  assurance: [SOC 2 Type II]\n  reviewed: 2026-04-01\n  risk: medium" for i in range(30)]
    write(os.path.join(out, "suppliers/register.yaml"), "\n".join(sup) + "\n")
    print(f"generated {n} policies into {out}")


if __name__ == "__main__":
    main()
