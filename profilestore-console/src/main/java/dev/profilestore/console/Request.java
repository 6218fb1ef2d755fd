package dev.profilestore.console;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * One HTTP request, parsed.
 *
 * @param method the method, upper case
 * @param path the path, without the query
 * @param params the query parameters, and for a form POST the form fields (which win)
 * @param cookies the cookies
 * @param origin the Origin header, or null
 * @param host the Host header, or null
 * @param authorization the Authorization header, or null
 */
record Request(String method, String path, Map<String, String> params, Map<String, String> cookies, String origin,
               String host, String authorization) {

    /** Form bodies larger than this are refused: an operator's form is small. */
    static final int MAX_BODY = 256 * 1024;

    static Request of(HttpExchange ex) throws IOException {
        Map<String, String> params = new HashMap<>();
        parseInto(ex.getRequestURI().getRawQuery(), params);
        if ("POST".equals(ex.getRequestMethod())) {
            try (InputStream in = ex.getRequestBody()) {
                byte[] body = in.readNBytes(MAX_BODY + 1);
                if (body.length > MAX_BODY) {
                    throw new BadRequest(413, "the form is larger than " + MAX_BODY / 1024 + " KiB");
                }
                parseInto(new String(body, StandardCharsets.UTF_8), params);
            }
        }
        Map<String, String> cookies = new HashMap<>();
        for (String header : ex.getRequestHeaders().getOrDefault("Cookie", java.util.List.of())) {
            for (String part : header.split(";")) {
                int eq = part.indexOf('=');
                if (eq > 0) {
                    cookies.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
                }
            }
        }
        var h = ex.getRequestHeaders();
        return new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(), params, cookies,
                h.getFirst("Origin"), h.getFirst("Host"), h.getFirst("Authorization"));
    }

    private static void parseInto(String raw, Map<String, String> into) {
        if (raw == null || raw.isEmpty()) {
            return;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            try {
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                into.put(k, v);
            } catch (IllegalArgumentException e) {
                throw new BadRequest("a parameter is not well-formed URL encoding: " + pair);
            }
        }
    }

    /** A parameter, or null. */
    String param(String name) {
        return params.get(name);
    }

    /** A parameter that must be present and not blank, as given (a key's spaces are part of it). */
    String required(String name) {
        String v = params.get(name);
        if (v == null || v.isBlank()) {
            throw new BadRequest("the field '" + name + "' is missing");
        }
        return v;
    }
}
