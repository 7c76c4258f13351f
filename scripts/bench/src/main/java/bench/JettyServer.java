package bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A small Jetty 12 server as people write them: handlers run on virtual threads (the thread
 * pool's virtual-thread executor), {@code /ping} answers at once, {@code /work?ms=N} does
 * about N ms of CPU-bound hashing in an ordinary loop. Usage: {@code JettyServer <port>}.
 * Prints "ready <port>" on stdout once it accepts connections; stops on SIGTERM.
 */
public final class JettyServer {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        QueuedThreadPool pool = new QueuedThreadPool();
        pool.setName("jetty");
        pool.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        Server server = new Server(pool);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Routes());
        server.setStopAtShutdown(true);
        server.start();
        System.out.println("ready " + connector.getLocalPort());
        server.join();
    }

    /** The two routes; blocking handlers, so Jetty runs them on the virtual-thread executor. */
    static final class Routes extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = Request.getPathInContext(request);
            String body;
            if (path.equals("/ping")) {
                body = "pong\n";
            } else if (path.equals("/work")) {
                String q = request.getHttpURI().getQuery();
                int ms = q != null && q.startsWith("ms=") ? Integer.parseInt(q.substring(3)) : 500;
                body = "work " + Work.hash(ms) + "\n";
            } else {
                Response.writeError(request, response, callback, 404);
                return true;
            }
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
            response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
            return true;
        }
    }
}
