/* The static berth-init binary, embedded so berth can copy it into a sealed
 * memfd at create time and exec it as the container's PID 1. */
	.section .rodata
	.global berth_init_blob
	.global berth_init_blob_end
	.balign 16
berth_init_blob:
	.incbin BERTH_INIT_PATH
berth_init_blob_end:
	.section .note.GNU-stack,"",@progbits
