package itapp;

/** Ordinary application code with loops. */
public final class Work {
    private Work() {
    }

    public static long sum(int n) {
        long s = 0;
        for (int i = 0; i < n; i++) {
            s += i ^ (i >>> 3);
        }
        return s;
    }

    public static String words(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(Integer.toString(i, 36));
        }
        return Integer.toHexString(sb.toString().hashCode());
    }
}
