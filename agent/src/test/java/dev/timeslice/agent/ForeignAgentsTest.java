package dev.timeslice.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForeignAgentsTest {
    private static ProtectionDomain from(File jar) throws Exception {
        URL url = jar.getAbsoluteFile().toURI().toURL();
        return new ProtectionDomain(new CodeSource(url, (java.security.cert.Certificate[]) null), null);
    }

    @Test
    void agentJarsGivenRelativelyWithOptionsOrWithSpacesAreRecognised() throws Exception {
        String cwd = new File("").getAbsolutePath();
        ForeignAgents agents = new ForeignAgents(ForeignAgents.agentJars(List.of(
                "-Xmx1g", "-javaagent:lib/../agents/jacoco agent.jar=destfile=x.exec", "-javaagent:/opt/./other.jar",
                "-cp", "app.jar")));
        assertTrue(agents.owns(from(new File(cwd, "agents/jacoco agent.jar"))));
        assertTrue(agents.owns(from(new File("/opt/other.jar"))));
        assertFalse(agents.owns(from(new File(cwd, "app.jar"))));
        assertFalse(agents.owns(null));
        assertFalse(agents.owns(new ProtectionDomain(null, null)));
    }

    @Test
    void noAgentsOwnNothing() throws Exception {
        assertTrue(ForeignAgents.NONE.isEmpty());
        assertFalse(ForeignAgents.NONE.owns(from(new File("/opt/other.jar"))));
    }

    @Test
    void normalizeIsLexical() {
        assertEquals("/a/c/d.jar", ForeignAgents.normalize("/a/b/../c/./d.jar"));
        assertEquals("/a/b.jar", ForeignAgents.normalize("//a//b.jar"));
        assertEquals("/x.jar", ForeignAgents.normalize("/x.jar"));
    }
}
