package dev.profilestore.console;

/** HTML escaping and the page frame every page shares. */
final class Html {

    private Html() {}

    /** Escapes text for an element's content or a quoted attribute. */
    static String esc(Object o) {
        String s = String.valueOf(o);
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
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

    /** Escapes a query parameter value. */
    static String url(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * A whole page.
     *
     * @param title the title
     * @param who the signed-in operator, or null on the sign-in page
     * @param banner an error banner, or null
     * @param body the page's content
     */
    static String page(String title, String who, String banner, String body) {
        StringBuilder b = new StringBuilder(4096);
        b.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(esc(title)).append(" · ProfileStore console</title>")
                .append("<link rel=\"stylesheet\" href=\"/static/console.css\">")
                .append("<script src=\"/static/console.js\" defer></script></head><body>");
        if (who != null) {
            b.append("<nav><b>ProfileStore console</b> <a href=\"/\">Sessions</a> <a href=\"/find\">Find</a>"
                    + " <a href=\"/erase\">Erase</a> <a href=\"/audit\">Audit log</a> <a href=\"/metrics\">Metrics</a>"
                    + " <span class=\"who\">signed in as ").append(esc(who)).append("</span></nav>");
        }
        b.append("<div id=\"banner\" class=\"banner\"").append(banner == null ? " hidden>" : ">")
                .append(banner == null ? "" : esc(banner)).append("</div>");
        b.append("<main><h1>").append(esc(title)).append("</h1>").append(body).append("</main></body></html>");
        return b.toString();
    }

    /** A POST form's opening tag with its CSRF token. */
    static String form(String action, String csrf, String cssClass) {
        return "<form method=\"post\" action=\"" + esc(action) + "\" class=\"" + cssClass + "\">"
                + "<input type=\"hidden\" name=\"csrf\" value=\"" + esc(csrf) + "\">";
    }

    /** A hidden field. */
    static String hidden(String name, String value) {
        return "<input type=\"hidden\" name=\"" + esc(name) + "\" value=\"" + esc(value) + "\">";
    }
}
