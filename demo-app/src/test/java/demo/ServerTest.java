package demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ServerTest {
    private static Server server;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        server = Server.start(0, 1000.0);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        server.close();
        client.shutdownNow();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void listensOnAFreeLoopbackPort() {
        assertTrue(server.port() > 0);
    }

    @Test
    void ping() throws Exception {
        long before = server.pingsServed();
        HttpResponse<String> r = get("/ping");
        assertEquals(200, r.statusCode());
        assertEquals("pong\n", r.body());
        assertTrue(server.pingsServed() > before);
    }

    @Test
    void workHashesTheCalibratedNumberOfBlocks() throws Exception {
        HttpResponse<String> r = get("/work?ms=20");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().startsWith("ms=20 blocks=20000 hash="), r.body());
        assertEquals(200, get("/work").statusCode()); // default 100 ms
    }

    @Test
    void badWorkRequestsAreRejected() throws Exception {
        assertEquals(400, get("/work?ms=abc").statusCode());
        assertEquals(400, get("/work?ms=-1").statusCode());
        assertEquals(400, get("/work?ms=" + (Server.MAX_WORK_MS + 1)).statusCode());
        assertEquals(404, get("/nothing-here").statusCode());
    }

    @Test
    void infoDescribesTheServerJvm() throws Exception {
        HttpResponse<String> r = get("/info");
        assertEquals(200, r.statusCode());
        @SuppressWarnings("unchecked")
        Map<String, Object> info = (Map<String, Object>) Json.parse(r.body());
        assertEquals((double) Runtime.getRuntime().availableProcessors(), info.get("cores"));
        assertEquals(System.getProperty("java.version"), info.get("javaVersion"));
        assertEquals(1000.0, info.get("blocksPerMs"));
        assertTrue(String.valueOf(info.get("handlerThread")).startsWith("VirtualThread"), String.valueOf(info.get("handlerThread")));
    }

    @Test
    void queryParameters() {
        assertEquals("20", Server.queryParam(URI.create("/work?x=1&ms=20"), "ms"));
        assertEquals("", Server.queryParam(URI.create("/work?ms"), "ms"));
        assertEquals("a b", Server.queryParam(URI.create("/work?ms=a%20b"), "ms"));
        assertNull(Server.queryParam(URI.create("/work?msx=1"), "ms"));
        assertNull(Server.queryParam(URI.create("/work"), "ms"));
    }
}
