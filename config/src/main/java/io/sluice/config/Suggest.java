package io.sluice.config;

import java.util.Collection;
import java.util.Locale;

/** "Did you mean" for misspelt keys and names: the closest candidate within a few edits. */
final class Suggest {
    private Suggest() {
    }

    /**
     * The candidate closest to {@code typo} (case ignored, transpositions counting as one edit, a candidate that
     * contains the typo or is contained in it counting as one edit), or null when none is within
     * {@code max(1, min(3, length / 3))} edits.
     */
    static String closest(String typo, Collection<String> candidates) {
        String t = typo.toLowerCase(Locale.ROOT);
        int limit = Math.max(1, Math.min(3, t.length() / 3));
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            String lc = c.toLowerCase(Locale.ROOT);
            int d = distance(t, lc);
            if (Math.min(t.length(), lc.length()) >= 3 && (lc.contains(t) || t.contains(lc))) {
                d = Math.min(d, 1); // "uring" for io_uring, "cache" for cacheSize
            }
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return bestDistance <= limit ? best : null;
    }

    /** {@code "; did you mean X?"}, or empty. */
    static String didYouMean(String typo, Collection<String> candidates) {
        String c = closest(typo, candidates);
        return c == null ? "" : "; did you mean " + c + "?";
    }

    /** {@code "; did you mean X?"}, or {@code "."} when no candidate is close: ends a sentence either way. */
    static String didYouMeanOrStop(String typo, Collection<String> candidates) {
        String c = closest(typo, candidates);
        return c == null ? "." : "; did you mean " + c + "?";
    }

    /** {@code "unknown key; did you mean X? The keys here are: A, B"}, the suggestion only when one is close. */
    static String unknownKey(String typo, Collection<String> known) {
        return "unknown key" + didYouMeanOrStop(typo, known) + " The keys here are: " + String.join(", ", known);
    }

    /** {@code SHOWN is not one of A, B, C; did you mean B?}, the suggestion only when one is close. */
    static String notOneOf(String shown, String typo, Collection<String> allowed) {
        return shown + " is not one of " + String.join(", ", allowed) + didYouMean(typo, allowed);
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[a.length()][b.length()];
    }
}
