package io.sluice.engine.services;

import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.socket.StreamHandler;
import io.sluice.engine.socket.StreamListener;
import io.sluice.engine.socket.StreamSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small HTTP/1.1 server (RFC 9112) on the stack's thread, for any Linux client ({@code curl}):
 * <ul>
 *   <li>{@code GET /}: a short HTML page;</li>
 *   <li>{@code GET /bytes/N}: N bytes of the chargen pattern ({@link ChargenPattern}, RFC 864's lines from the
 *       first), streamed as the window takes them, for bulk tests ({@code curl -s .../bytes/100000000 | sha256sum});</li>
 *   <li>anything else under GET: 404; HEAD as GET without the body; other methods 405; a request that is not
 *       HTTP/1.x, or whose head exceeds {@link #MAX_HEAD} bytes, 400 and the connection closes.</li>
 * </ul>
 * Persistent connections (RFC 9112 9.3): HTTP/1.1 keeps the connection unless the request says
 * {@code Connection: close}; HTTP/1.0 closes it unless it says {@code keep-alive}. Pipelined requests are
 * answered in order; while a response is going out, the next requests wait unconsumed (the window closes).
 */
public final class HttpServer implements StreamListener {
    public static final int PORT = 80;
    /** The longest request head (request line and headers) taken. */
    public static final int MAX_HEAD = 8192;
    private static final byte[] INDEX = ("<!DOCTYPE html>\n<html><head><title>Sluice</title></head><body>\n"
        + "<h1>Sluice</h1>\n<p>An off-heap TCP/IP stack for the JVM answered this request.</p>\n"
        + "<p><a href=\"/bytes/1000000\">/bytes/N</a>: N bytes of the RFC 864 pattern.</p>\n</body></html>\n")
        .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NOT_FOUND = "Not found\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BAD_REQUEST = "Bad request\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NOT_ALLOWED = "Method not allowed\n".getBytes(StandardCharsets.US_ASCII);

    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong bodyBytes = new AtomicLong();
    /** Answers that found no pbufs: the connection was closed instead (the client sees it end, not hang). */
    private final AtomicLong noBuffers = new AtomicLong();

    @Override
    public StreamHandler onAccept(Pbufs p, StreamSocket connection) {
        connections.setOpaque(connections.getPlain() + 1);
        return new Connection();
    }

    public long connections() {
        return connections.getOpaque();
    }

    /** Requests answered (every status). */
    public long requests() {
        return requests.getOpaque();
    }

    /** Answers that found the pool empty; their connections were closed instead. */
    public long noBuffers() {
        return noBuffers.getOpaque();
    }

    /** Bytes of response bodies queued. */
    public long bodyBytes() {
        return bodyBytes.getOpaque();
    }

    /** The body of {@code /bytes/N}: its first {@code n} bytes, for a client's check. */
    public static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            int at = i % ChargenPattern.PERIOD;
            int line = at / (ChargenPattern.LINE + 2);
            int col = at % (ChargenPattern.LINE + 2);
            b[i] = col == ChargenPattern.LINE ? (byte) '\r' : col == ChargenPattern.LINE + 1 ? (byte) '\n'
                : (byte) (' ' + (line + col) % ChargenPattern.PRINTABLE);
        }
        return b;
    }

    private final class Connection implements StreamHandler {
        /** Received bytes not yet copied into {@link #head} (unconsumed: they hold the window). */
        private int held = PbufHandle.NULL;
        private int heldLen;
        private final byte[] head = new byte[MAX_HEAD];
        private int headLen;
        /** The response's head (or small body) not yet taken by the send buffer. */
        private int out = PbufHandle.NULL;
        /** Body bytes of the pattern still to send, and where in the pattern the next one is. */
        private long bodyLeft;
        private int bodyPos;
        private boolean closeAfter;
        private boolean peerClosed;
        private boolean finished;

        @Override
        public void onData(Pbufs p, StreamSocket s, int chain) {
            if (finished) {
                int n = p.length(chain);
                p.freem(chain);
                s.consumed(n);
                return;
            }
            int n = p.length(chain);
            if (held == PbufHandle.NULL) {
                held = chain;
            } else {
                p.cat(held, chain);
            }
            heldLen += n;
            process(p, s);
        }

        @Override
        public void onSendSpace(Pbufs p, StreamSocket s, int space) {
            process(p, s);
        }

        @Override
        public void onTick(Pbufs p, StreamSocket s) {
            process(p, s);
        }

        @Override
        public void onPeerClosed(Pbufs p, StreamSocket s) {
            peerClosed = true;
            process(p, s);
        }

        @Override
        public void onClosed(Pbufs p, StreamSocket s, int reason) {
            finished = true;
            p.freem(held);
            held = PbufHandle.NULL;
            p.freem(out);
            out = PbufHandle.NULL;
        }

        /** Sends what is owed, then answers the next complete request, as long as the send buffer takes it. */
        private void process(Pbufs p, StreamSocket s) {
            while (!finished) {
                if (!flush(p, s)) {
                    return; // the send buffer is full: onSendSpace brings us back
                }
                if (closeAfter) {
                    finish(p, s);
                    return;
                }
                if (held != PbufHandle.NULL && headLen < MAX_HEAD) {
                    int n = Math.min(heldLen, MAX_HEAD - headLen);
                    p.copydata(held, 0, n, head, headLen);
                    headLen += n;
                    heldLen -= n;
                    if (heldLen == 0) {
                        p.freem(held);
                        held = PbufHandle.NULL;
                    } else {
                        held = p.adj(held, n);
                    }
                    s.consumed(n);
                }
                int end = headEnd();
                if (end < 0) {
                    if (headLen == MAX_HEAD) {
                        respond(p, 400, "Bad Request", BAD_REQUEST, false, true);
                        continue;
                    }
                    if (peerClosed) {
                        finish(p, s);
                    }
                    return;
                }
                String request = new String(head, 0, end, StandardCharsets.ISO_8859_1);
                System.arraycopy(head, end, head, 0, headLen - end);
                headLen -= end;
                handle(p, request);
            }
        }

        /** Sends the owed head and body; false when the send buffer is full first. */
        private boolean flush(Pbufs p, StreamSocket s) {
            if (out != PbufHandle.NULL) {
                out = s.sendSome(p, out);
                if (out != PbufHandle.NULL) {
                    return false;
                }
            }
            while (bodyLeft > 0) {
                int n = (int) Math.min(bodyLeft, TcpChargen.CHUNK);
                int chain = p.alloc(Layer.RAW, n);
                if (chain == PbufHandle.NULL) {
                    // The pool is low. With nothing in flight no acknowledgment would bring us back (and
                    // onSendSpace comes only after a refused send): the stack's next tick does.
                    s.requestTick();
                    return false;
                }
                p.copyback(chain, 0, TcpChargen.PATTERN.segment(), bodyPos, n);
                bodyPos = (bodyPos + n) % ChargenPattern.PERIOD;
                bodyLeft -= n;
                bodyBytes.setOpaque(bodyBytes.getPlain() + n);
                out = s.sendSome(p, chain);
                if (out != PbufHandle.NULL) {
                    return false;
                }
            }
            return true;
        }

        private void finish(Pbufs p, StreamSocket s) {
            finished = true;
            p.freem(held);
            if (heldLen > 0) {
                s.consumed(heldLen);
            }
            held = PbufHandle.NULL;
            heldLen = 0;
            s.close(p);
        }

        /** The end of the request head (after its blank line), or -1. */
        private int headEnd() {
            for (int i = 3; i < headLen; i++) {
                if (head[i] == '\n' && head[i - 1] == '\r' && head[i - 2] == '\n' && head[i - 3] == '\r') {
                    return i + 1;
                }
            }
            return -1;
        }

        private void handle(Pbufs p, String text) {
            int eol = text.indexOf("\r\n");
            String[] line = text.substring(0, eol).split(" ", -1);
            if (line.length != 3 || !line[0].matches("[A-Z]+") || !line[1].startsWith("/")
                || !line[2].matches("HTTP/1\\.[01]")) {
                respond(p, 400, "Bad Request", BAD_REQUEST, false, true);
                return;
            }
            boolean http11 = line[2].equals("HTTP/1.1");
            boolean keep = http11;
            for (String h : text.substring(eol + 2).split("\r\n")) {
                int colon = h.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = h.substring(0, colon).trim();
                String value = h.substring(colon + 1).trim().toLowerCase(java.util.Locale.ROOT);
                if (name.equalsIgnoreCase("connection")) {
                    if (value.contains("close")) {
                        keep = false;
                    } else if (value.contains("keep-alive")) {
                        keep = true;
                    }
                } else if (name.equalsIgnoreCase("content-length") && !value.equals("0")
                    || name.equalsIgnoreCase("transfer-encoding")) {
                    keep = false; // a body this server does not read: answer, then close
                }
            }
            boolean headOnly = line[0].equals("HEAD");
            if (!headOnly && !line[0].equals("GET")) {
                respond(p, 405, "Method Not Allowed", NOT_ALLOWED, false, true);
                return;
            }
            String path = line[1];
            if (path.equals("/") || path.equals("/index.html")) {
                respond(p, 200, "OK", INDEX, headOnly, !keep);
                return;
            }
            if (path.startsWith("/bytes/")) {
                long n = parseCount(path.substring(7));
                if (n >= 0) {
                    String h = "HTTP/1.1 200 OK\r\nServer: sluice\r\nContent-Type: application/octet-stream\r\n"
                        + "Content-Length: " + n + "\r\n" + (keep ? "" : "Connection: close\r\n") + "\r\n";
                    if (!queue(p, h.getBytes(StandardCharsets.US_ASCII), null)) {
                        return; // no head went out: no body follows it
                    }
                    bodyLeft = headOnly ? 0 : n;
                    bodyPos = 0;
                    closeAfter = !keep;
                    requests.setOpaque(requests.getPlain() + 1);
                    return;
                }
            }
            respond(p, 404, "Not Found", NOT_FOUND, headOnly, !keep);
        }

        private static long parseCount(String s) {
            if (s.isEmpty() || s.length() > 15) {
                return -1;
            }
            long n = 0;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < '0' || c > '9') {
                    return -1;
                }
                n = n * 10 + (c - '0');
            }
            return n;
        }

        private void respond(Pbufs p, int status, String reason, byte[] body, boolean headOnly, boolean close) {
            String h = "HTTP/1.1 " + status + " " + reason + "\r\nServer: sluice\r\nContent-Type: "
                + (status == 200 ? "text/html" : "text/plain") + "\r\nContent-Length: " + body.length + "\r\n"
                + (close ? "Connection: close\r\n" : "") + "\r\n";
            if (!queue(p, h.getBytes(StandardCharsets.US_ASCII), headOnly ? null : body)) {
                return;
            }
            closeAfter = close;
            if (close) {
                headLen = 0; // nothing after this request is read
            }
            requests.setOpaque(requests.getPlain() + 1);
        }

        /**
         * Puts the head (and a small body) in one chain to send.
         *
         * @return false when no pbufs were free: the connection closes after what is already queued (counted)
         */
        private boolean queue(Pbufs p, byte[] h, byte[] body) {
            int n = h.length + (body == null ? 0 : body.length);
            int chain = p.alloc(Layer.RAW, n);
            if (chain == PbufHandle.NULL) {
                noBuffers.setOpaque(noBuffers.getPlain() + 1);
                closeAfter = true; // no pbufs for the answer: give up on the connection
                bodyLeft = 0;
                headLen = 0;
                return false;
            }
            p.copyback(chain, 0, h, 0, h.length);
            if (body != null) {
                p.copyback(chain, h.length, body, 0, body.length);
            }
            if (out == PbufHandle.NULL) {
                out = chain;
            } else {
                p.cat(out, chain);
            }
            return true;
        }
    }
}
