package dev.timeslice.agent.verify;

import java.util.Map;

/**
 * A throwaway loader that defines classes from a map of class-file bytes (dotted name to bytes),
 * lazily, on request, and delegates everything else to the platform loader (the JDK only, never
 * the application or Timeslice class path). Used to make HotSpot verify rewritten classes.
 */
final class ClassBytesLoader extends ClassLoader {
    static {
        registerAsParallelCapable();
    }

    private final Map<String, byte[]> classes;

    ClassBytesLoader(String name, Map<String, byte[]> classes) {
        super(name, ClassLoader.getPlatformClassLoader());
        this.classes = classes;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] b = classes.get(name);
        if (b == null) {
            throw new ClassNotFoundException(name);
        }
        return defineClass(name, b, 0, b.length);
    }

    /**
     * Loads and links (hence verifies) class {@code name} without initializing it; returns null on
     * success, else the error. {@code getDeclaredMethods} makes HotSpot link the class first.
     */
    String link(String name) {
        try {
            Class<?> c = Class.forName(name, false, this);
            c.getDeclaredMethods();
            return null;
        } catch (ClassNotFoundException | LinkageError | SecurityException e) {
            return e.toString().replace('\n', ' ');
        }
    }
}
