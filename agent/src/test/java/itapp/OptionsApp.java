package itapp;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Fixture for {@code OptionsIT}: {@code mbean} looks for Timeslice's MBean on the first line of
 * main; {@code attached <file>} waits for {@code <file>} (the test attaches a JMX agent meanwhile)
 * and then looks for it without creating a server; {@code write <file>} writes a file as any program would; {@code subclasses} starts two
 * {@code Thread} subclasses (a named one and an anonymous one) and joins them.
 */
public final class OptionsApp {
    static final class Worker extends Thread {
        Worker() {
            super("worker");
        }

        @Override
        public void run() {
        }
    }

    public static void main(String[] args) throws Exception {
        switch (args.length == 0 ? "" : args[0]) {
            case "mbean" -> {
                MBeanServer server = ManagementFactory.getPlatformMBeanServer();
                ObjectName name = new ObjectName("timeslice:type=Scheduler");
                System.out.println("registered=" + server.isRegistered(name)
                        + (server.isRegistered(name) ? " procs=" + server.getAttribute(name, "Procs") : ""));
            }
            case "write" -> Files.writeString(Path.of(args[1]), "written by the program\n");
            case "attached" -> {
                // waits until the test has attached a JMX agent (jcmd), then looks without creating a server
                System.out.println("servers=" + javax.management.MBeanServerFactory.findMBeanServer(null).size());
                System.out.flush();
                for (int i = 0; i < 600 && !Files.exists(Path.of(args[1])); i++) {
                    Thread.sleep(100);
                }
                for (MBeanServer s : javax.management.MBeanServerFactory.findMBeanServer(null)) {
                    System.out.println("after attach registered=" + s.isRegistered(new ObjectName("timeslice:type=Scheduler")));
                }
            }
            case "subclasses" -> {
                Thread a = new Worker();
                Thread b = new Worker();
                Thread c = new Thread("anonymous") {
                    @Override
                    public void run() {
                    }
                };
                for (Thread t : new Thread[] {a, b, c}) {
                    t.start();
                    t.join();
                }
            }
            default -> {
            }
        }
        System.out.println("main ran");
    }
}
