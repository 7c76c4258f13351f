package itapp;

/** Loaded by a class loader that does not delegate to the application class loader. */
public final class Isolated {
    private Isolated() {
    }

    public static long run(int n) {
        long s = 1;
        for (int i = 0; i < n; i++) {
            s = s * 31 + i;
        }
        return s;
    }
}
