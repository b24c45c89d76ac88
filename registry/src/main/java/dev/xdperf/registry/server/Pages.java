package dev.xdperf.registry.server;

import java.util.List;

/** The registry's pages for people: search, and one page per plugin. Plain server-rendered HTML. */
final class Pages {
    private Pages() {}

    private static final String STYLE = """
            body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
            a{color:#0550ae}table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem .6rem;border-bottom:1px solid #ddd}
            .yanked{color:#999;text-decoration:line-through}.tag{font-size:.8rem;background:#eee;border-radius:.3rem;padding:0 .3rem}
            code{font-size:.85rem;word-break:break-all}""";

    static String search(String q, String kind, List<Store.VersionRow> results) {
        StringBuilder b = head("xdperf plugins");
        b.append("<h1>xdperf plugins</h1>\n<form method=\"get\" action=\"/\">")
                .append("<input id=\"q\" name=\"q\" type=\"search\" placeholder=\"search plugins\" value=\"").append(esc(q)).append("\">")
                .append(" <select id=\"kind\" name=\"kind\"><option value=\"\">any kind</option>")
                .append(option("wasm", kind)).append(option("pf4j", kind)).append("</select>")
                .append(" <button type=\"submit\">Search</button></form>\n");
        if (results.isEmpty()) {
            b.append("<p id=\"no-results\">No plugins match.</p>\n");
        } else {
            b.append("<table id=\"results\"><tr><th>plugin</th><th>version</th><th>kind</th><th>ABI</th><th>description</th></tr>\n");
            for (Store.VersionRow v : results) {
                b.append("<tr class=\"result\"><td><a href=\"/plugins/").append(esc(v.publisher())).append('/').append(esc(v.name()))
                        .append("\">").append(esc(v.id())).append("</a></td><td>").append(esc(v.version())).append("</td><td>")
                        .append(esc(v.kind())).append("</td><td>").append(esc(v.abi())).append("</td><td>")
                        .append(esc(v.description())).append("</td></tr>\n");
            }
            b.append("</table>\n");
        }
        return b.append(foot()).toString();
    }

    static String plugin(List<Store.VersionRow> versions, List<Store.KeyRow> keys) {
        Store.VersionRow newest = versions.stream().filter(v -> !v.yanked()).findFirst().orElse(versions.get(0));
        long downloads = versions.stream().mapToLong(Store.VersionRow::downloads).sum();
        StringBuilder b = head(newest.id() + " · xdperf plugins");
        b.append("<p><a href=\"/\">all plugins</a></p>\n<h1 id=\"plugin\">").append(esc(newest.id())).append("</h1>\n")
                .append("<p id=\"description\">").append(esc(newest.description())).append("</p>\n<dl>")
                .append("<dt>publisher</dt><dd id=\"publisher\">").append(esc(newest.publisher())).append("</dd>")
                .append("<dt>kind</dt><dd id=\"kind\">").append(esc(newest.kind())).append("</dd>")
                .append("<dt>license</dt><dd id=\"license\">").append(esc(newest.license())).append("</dd>")
                .append("<dt>downloads</dt><dd id=\"downloads\">").append(downloads).append("</dd>")
                .append("<dt>install</dt><dd><code>xdperf plugin install ")
                .append(esc(newest.publisher().equals("xdperf") ? newest.name() : newest.id())).append("</code></dd>")
                .append("</dl>\n<h2>Versions</h2>\n<table id=\"versions\"><tr><th>version</th><th>ABI</th><th>published</th>")
                .append("<th>downloads</th><th>sha256</th><th>signed by key</th><th>state</th></tr>\n");
        for (Store.VersionRow v : versions) {
            b.append("<tr class=\"version").append(v.yanked() ? " yanked" : "").append("\" data-version=\"").append(esc(v.version()))
                    .append("\"><td>").append(esc(v.version())).append("</td><td class=\"abi\">").append(esc(v.abi()))
                    .append("</td><td>").append(esc(v.published())).append("</td><td class=\"downloads\">").append(v.downloads())
                    .append("</td><td><code>").append(esc(v.artifactSha256())).append("</code></td><td><code class=\"key\">")
                    .append(esc(v.keyFingerprint())).append("</code></td><td class=\"state\">").append(v.yanked() ? "yanked" : "available")
                    .append("</td></tr>\n");
        }
        b.append("</table>\n<h2>Publisher keys</h2>\n<ul id=\"keys\">");
        for (Store.KeyRow k : keys) {
            b.append("<li><code class=\"fingerprint\">").append(esc(k.fingerprint())).append("</code> ")
                    .append(k.active() ? "<span class=\"tag\">active</span>" : "<span class=\"tag\">retired " + esc(k.retired()) + "</span>")
                    .append("</li>");
        }
        return b.append("</ul>\n").append(foot()).toString();
    }

    static String notFound(String path) {
        return head("not found").append("<h1>Not found</h1><p>Nothing at <code>").append(esc(path))
                .append("</code>. <a href=\"/\">Search plugins</a>.</p>").append(foot()).toString();
    }

    private static StringBuilder head(String title) {
        return new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
                .append("</title><meta name=\"viewport\" content=\"width=device-width\"><style>").append(STYLE)
                .append("</style></head><body>\n");
    }

    private static String foot() {
        return "<footer><p>API: <a href=\"/api/v1/health\">/api/v1</a> · docs/registry.md</p></footer></body></html>\n";
    }

    private static String option(String value, String selected) {
        return "<option value=\"" + value + "\"" + (value.equals(selected) ? " selected" : "") + ">" + value + "</option>";
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
