package io.sluice.engine.services;

import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.socket.StreamHandler;
import io.sluice.engine.socket.StreamListener;
import io.sluice.engine.socket.StreamSocket;
import java.lang.foreign.MemorySegment;
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
 * Lines may end in CR LF or in a bare LF (RFC 9112 2.2). Parsing a request and building its answer allocate
 * nothing ({@link RequestHead}, heads built once).
 */
public final class HttpServer implements StreamListener {
    public static final int PORT = 80;
    /** The longest request head (request line and headers) taken. */
    public static final int MAX_HEAD = 8192;
    private static final byte[] INDEX = ("<!DOCTYPE html>\n<html><head><title>Sluice</title></head><body>\n"
        + "<h1>Sluice</h1>\n<p>An off-heap TCP/IP stack for the JVM answered this request.</p>\n"
        + "<p><a href=\"/bytes/1000000\">/bytes/N</a>: N bytes of the RFC 864 pattern.</p>\n</body></html>\n")
        .getBytes(StandardCharsets.US_ASCII);
    // Every answer's head is built here, once: a request costs no allocation (RequestHead reads it in place).
    // Copies to and from pbufs go through segments made once too: Pbufs' byte[] forms wrap the array each call.
    private static final Canned OK_INDEX = new Canned("200 OK", "text/html", INDEX);
    private static final Canned NOT_FOUND = new Canned("404 Not Found", "text/plain", "Not found\n");
    private static final Canned BAD_REQUEST = new Canned("400 Bad Request", "text/plain", "Bad request\n");
    private static final Canned NOT_ALLOWED = new Canned("405 Method Not Allowed", "text/plain",
        "Method not allowed\n");
    private static final byte[] ROOT = RequestHead.ascii("/");
    private static final byte[] INDEX_HTML = RequestHead.ascii("/index.html");
    private static final byte[] BYTES = RequestHead.ascii("/bytes/");
    /** The head of a {@code /bytes/N} answer up to N, and what follows N. */
    private static final byte[] BYTES_HEAD = RequestHead.ascii("HTTP/1.1 200 OK\r\nServer: sluice\r\n"
        + "Content-Type: application/octet-stream\r\nContent-Length: ");
    private static final byte[] END_KEEP = RequestHead.ascii("\r\n\r\n");
    private static final byte[] END_CLOSE = RequestHead.ascii("\r\nConnection: close\r\n\r\n");
    /** Room for the longest {@code /bytes/N} head: N has 15 digits at most. */
    private static final int BYTES_HEAD_MAX = BYTES_HEAD.length + 15 + END_CLOSE.length;

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
        private final MemorySegment headView = MemorySegment.ofArray(head);
        private final RequestHead request = new RequestHead(head);
        /** Where a {@code /bytes/N} head is put together. */
        private final byte[] answer = new byte[BYTES_HEAD_MAX];
        private final MemorySegment answerView = MemorySegment.ofArray(answer);
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
                    p.copydata(held, 0, n, headView, headLen);
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
                int end = request.end(headLen);
                if (end < 0) {
                    if (headLen == MAX_HEAD) {
                        respond(p, BAD_REQUEST, false, true);
                        continue;
                    }
                    if (peerClosed) {
                        finish(p, s);
                    }
                    return;
                }
                handle(p, end);
                if (headLen > 0) { // else the answer closes the connection and dropped what followed
                    System.arraycopy(head, end, head, 0, headLen - end);
                    headLen -= end;
                }
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

        /** Answers the request in {@code head[0, end)}. */
        private void handle(Pbufs p, int end) {
            if (!request.parse(end)) {
                respond(p, BAD_REQUEST, false, true);
                return;
            }
            boolean keep = request.keepAlive;
            boolean headOnly = request.method == RequestHead.HEAD;
            if (request.method == RequestHead.OTHER) {
                respond(p, NOT_ALLOWED, false, true);
                return;
            }
            if (request.targetIs(ROOT) || request.targetIs(INDEX_HTML)) {
                respond(p, OK_INDEX, headOnly, !keep);
                return;
            }
            long n = request.targetCount(BYTES);
            if (n >= 0) {
                int len = put(BYTES_HEAD, 0);
                len = putDecimal(n, len);
                len = put(keep ? END_KEEP : END_CLOSE, len);
                if (!queue(p, answerView, len, null)) {
                    return; // no head went out: no body follows it
                }
                bodyLeft = headOnly ? 0 : n;
                bodyPos = 0;
                closeAfter = !keep;
                requests.setOpaque(requests.getPlain() + 1);
                return;
            }
            respond(p, NOT_FOUND, headOnly, !keep);
        }

        private int put(byte[] b, int at) {
            System.arraycopy(b, 0, answer, at, b.length);
            return at + b.length;
        }

        /** Writes {@code n} (not negative) in decimal at {@code at}; returns the end. */
        private int putDecimal(long n, int at) {
            int digits = 1;
            for (long rest = n / 10; rest > 0; rest /= 10) {
                digits++;
            }
            for (int i = at + digits - 1; i >= at; i--) {
                answer[i] = (byte) ('0' + n % 10);
                n /= 10;
            }
            return at + digits;
        }

        private void respond(Pbufs p, Canned a, boolean headOnly, boolean close) {
            MemorySegment h = close ? a.closeHead : a.keepHead;
            if (!queue(p, h, (int) h.byteSize(), headOnly ? null : a.body)) {
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
        private boolean queue(Pbufs p, MemorySegment h, int hLen, MemorySegment body) {
            int n = hLen + (body == null ? 0 : (int) body.byteSize());
            int chain = p.alloc(Layer.RAW, n);
            if (chain == PbufHandle.NULL) {
                noBuffers.setOpaque(noBuffers.getPlain() + 1);
                closeAfter = true; // no pbufs for the answer: give up on the connection
                bodyLeft = 0;
                headLen = 0;
                return false;
            }
            p.copyback(chain, 0, h, 0, hLen);
            if (body != null) {
                p.copyback(chain, hLen, body, 0, n - hLen);
            }
            if (out == PbufHandle.NULL) {
                out = chain;
            } else {
                p.cat(out, chain);
            }
            return true;
        }
    }

    /** A fixed answer: its head with and without {@code Connection: close}, and its body. */
    private static final class Canned {
        final MemorySegment keepHead;
        final MemorySegment closeHead;
        final MemorySegment body;

        Canned(String status, String type, String body) {
            this(status, type, RequestHead.ascii(body));
        }

        Canned(String status, String type, byte[] body) {
            String h = "HTTP/1.1 " + status + "\r\nServer: sluice\r\nContent-Type: " + type + "\r\nContent-Length: "
                + body.length + "\r\n";
            this.keepHead = MemorySegment.ofArray(RequestHead.ascii(h + "\r\n"));
            this.closeHead = MemorySegment.ofArray(RequestHead.ascii(h + "Connection: close\r\n\r\n"));
            this.body = MemorySegment.ofArray(body);
        }
    }
}
