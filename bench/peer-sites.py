#!/usr/bin/env python3
"""Writes the policies of a trustpress site as a minimal Hugo site and a minimal Zola site, so
the three tools render the same Markdown in the benchmark.

usage: bench/peer-sites.py SITE [--hugo DIR] [--zola DIR]

Each peer gets the same policy bodies (unchanged), front matter translated to its own format
(title, date, owner, version, status, review_by), code highlighting switched on with CSS
classes (as trustpress does), and templates that show what a trustpress policy page shows at
least in part: title, metadata, table of contents and body; plus a policy list and a home page.
Feeds, sitemaps, taxonomies and search indexes are switched off, so the peers write one page
per policy and do nothing trustpress would not.
"""
import os
import re
import sys

BASE_HEAD = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head><body><main>'


def front_matter(text):
    """(fields, body) of a `---` YAML front matter block, read line by line (flat keys only)."""
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---\n", 4)
    if end < 0:
        return None
    fields = {}
    for line in text[4:end].splitlines():
        m = re.match(r"^([a-z_]+):\s*(.*)$", line)
        if m:
            fields[m.group(1)] = m.group(2).strip().strip('"')
    return fields, text[end + 5:]


def policies(site):
    folder = os.path.join(site, "policies")
    for name in sorted(os.listdir(folder)):
        if name.endswith(".md"):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                parsed = front_matter(f.read())
            if parsed:
                yield name, parsed[0], parsed[1]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def toml_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def hugo(site, out):
    write(os.path.join(out, "hugo.toml"),
          "baseURL = 'https://trust.synthetic.example/'\ntitle = 'Synthetic Trust Center'\n"
          "disableKinds = ['taxonomy', 'term', 'RSS', 'sitemap', 'robotsTXT']\n"
          "[markup.highlight]\ncodeFences = true\nnoClasses = false\n")
    head = BASE_HEAD.format(title="{{ .Title }}")
    write(os.path.join(out, "layouts/_default/single.html"),
          head + "<h1>{{ .Title }}</h1><dl><dt>Owner</dt><dd>{{ .Params.owner }}</dd><dt>Version</dt>"
          "<dd>{{ .Params.version }}</dd><dt>Status</dt><dd>{{ .Params.status }}</dd><dt>Review by</dt>"
          "<dd>{{ .Params.review_by }}</dd></dl><nav>{{ .TableOfContents }}</nav>{{ .Content }}</main></body></html>\n")
    write(os.path.join(out, "layouts/_default/list.html"),
          head + "<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a> "
          "{{ .Params.owner }} {{ .Params.version }}</li>{{ end }}</ul></main></body></html>\n")
    write(os.path.join(out, "layouts/index.html"),
          head + "<h1>{{ .Site.Title }}</h1><a href=\"policies/\">Policies</a></main></body></html>\n")
    for name, f, body in policies(site):
        fm = (f"---\ntitle: {toml_string(f.get('title', name))}\ndate: 2026-02-01\nparams:\n"
              f"  owner: {toml_string(f.get('owner', ''))}\n  version: {toml_string(f.get('version', ''))}\n"
              f"  status: {toml_string(f.get('status', ''))}\n  review_by: {toml_string(f.get('review_by', ''))}\n---\n")
        write(os.path.join(out, "content/policies", name), fm + body)


def zola(site, out):
    write(os.path.join(out, "config.toml"),
          "base_url = \"https://trust.synthetic.example\"\ntitle = \"Synthetic Trust Center\"\n"
          "compile_sass = false\nbuild_search_index = false\ngenerate_feeds = false\n"
          "generate_sitemap = false\ngenerate_robots_txt = false\n"
          "[markdown]\nhighlight_code = true\nhighlight_theme = \"css\"\n")
    head = BASE_HEAD.format(title="{{ page.title }}")
    toc = ("<nav><ul>{% for h in page.toc %}<li><a href=\"{{ h.permalink | safe }}\">{{ h.title }}</a>"
           "{% if h.children %}<ul>{% for c in h.children %}<li><a href=\"{{ c.permalink | safe }}\">{{ c.title }}</a></li>"
           "{% endfor %}</ul>{% endif %}</li>{% endfor %}</ul></nav>")
    write(os.path.join(out, "templates/page.html"),
          head + "<h1>{{ page.title }}</h1><dl><dt>Owner</dt><dd>{{ page.extra.owner }}</dd><dt>Version</dt>"
          "<dd>{{ page.extra.version }}</dd><dt>Status</dt><dd>{{ page.extra.status }}</dd><dt>Review by</dt>"
          "<dd>{{ page.extra.review_by }}</dd></dl>" + toc + "{{ page.content | safe }}</main></body></html>\n")
    write(os.path.join(out, "templates/section.html"),
          BASE_HEAD.format(title="{{ section.title }}") + "<h1>{{ section.title }}</h1><ul>"
          "{% for p in section.pages %}<li><a href=\"{{ p.permalink | safe }}\">{{ p.title }}</a> "
          "{{ p.extra.owner }} {{ p.extra.version }}</li>{% endfor %}</ul></main></body></html>\n")
    write(os.path.join(out, "templates/index.html"),
          BASE_HEAD.format(title="{{ config.title }}") + "<h1>{{ config.title }}</h1>"
          "<a href=\"policies/\">Policies</a></main></body></html>\n")
    write(os.path.join(out, "content/_index.md"), "+++\ntitle = \"Home\"\n+++\n")
    write(os.path.join(out, "content/policies/_index.md"), "+++\ntitle = \"Policies\"\nsort_by = \"title\"\n+++\n")
    for name, f, body in policies(site):
        fm = (f"+++\ntitle = {toml_string(f.get('title', name))}\ndate = 2026-02-01\n[extra]\n"
              f"owner = {toml_string(f.get('owner', ''))}\nversion = {toml_string(f.get('version', ''))}\n"
              f"status = {toml_string(f.get('status', ''))}\nreview_by = {toml_string(f.get('review_by', ''))}\n+++\n")
        write(os.path.join(out, "content/policies", name), fm + body)


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        sys.exit(__doc__)
    site, rest = args[0], args[1:]
    while rest:
        flag, value, rest = rest[0], rest[1], rest[2:]
        {"--hugo": hugo, "--zola": zola}[flag](site, value)


if __name__ == "__main__":
    main()
