package itapp;

import com.sun.tools.attach.VirtualMachine;

/** Tries to load the agent into its own, running JVM (dynamic attach). */
public final class SelfAttach {
    private SelfAttach() {
    }

    public static void main(String[] args) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(Long.toString(ProcessHandle.current().pid()));
        try {
            vm.loadAgent(args[0]);
        } finally {
            vm.detach();
        }
        System.out.println("still running");
    }
}
