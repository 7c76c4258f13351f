package dev.timeslice.runtime;

/**
 * One M, for Go's {@code scheddetail} lines.
 *
 * @param id        the M's index
 * @param name      its thread's name
 * @param p         the P it holds, or -1
 * @param curg      the goid of the G it runs, or -1
 * @param spinning  looking for work to steal
 * @param idle      sleeping on the idle list
 */
public record MInfo(int id, String name, int p, long curg, boolean spinning, boolean idle) {
}
