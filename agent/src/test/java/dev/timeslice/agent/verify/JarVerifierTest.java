package dev.timeslice.agent.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** How HotSpot's verify errors are shortened and attributed in {@code verify}'s report. */
class JarVerifierTest {
    /** A VerifyError text as HotSpot 25 prints it (shortened dumps). */
    private static final String FRAME_ERROR = "java.lang.VerifyError: Expecting a stack map frame Exception Details:   "
            + "Location:     com/fasterxml/jackson/core/sym/ByteQuadsCanonicalizer._verifyLongName2([III)Z @63: iload   "
            + "Reason:     Expected stackmap frame at this location.   Bytecode:     0000000: 1120 0036 0503 3606";
    private static final String STACK_ERROR = "java.lang.VerifyError: Inconsistent stackmap frames at branch target 199 "
            + "Exception Details:   Location:     kotlinx/coroutines/DelayKt.awaitCancellation(Lkotlin/coroutines/Continuation;)"
            + "Ljava/lang/Object; @167: goto   Reason:     Current frame's stack size doesn't match stackmap.   "
            + "Current Frame:     bci: @167     flags: { }     locals: { 'kotlin/coroutines/Continuation' }";

    @Test
    void briefKeepsMethodOffsetErrorAndReasonAndDropsTheDumps() {
        assertEquals("_verifyLongName2([III)Z @63 iload: java.lang.VerifyError: Expecting a stack map frame "
                + "(Expected stackmap frame at this location.)", JarVerifier.brief(FRAME_ERROR));
        assertEquals("awaitCancellation(Lkotlin/coroutines/Continuation;)Ljava/lang/Object; @167 goto: "
                + "java.lang.VerifyError: Inconsistent stackmap frames at branch target 199 "
                + "(Current frame's stack size doesn't match stackmap.)", JarVerifier.brief(STACK_ERROR));
    }

    @Test
    void culpritIsTheClassTheErrorIsAbout() {
        assertEquals("com.fasterxml.jackson.core.sym.ByteQuadsCanonicalizer", JarVerifier.culprit(FRAME_ERROR));
        assertEquals("kotlinx.coroutines.DelayKt", JarVerifier.culprit(STACK_ERROR));
        assertNull(JarVerifier.culprit("java.lang.NoClassDefFoundError: a/B"));
    }

    @Test
    void otherErrorsAreKeptShort() {
        assertEquals("java.lang.ClassFormatError: bad", JarVerifier.brief("java.lang.ClassFormatError: bad"));
        assertEquals(303, JarVerifier.brief("x".repeat(1000)).length());
    }
}
