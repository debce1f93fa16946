#!/usr/bin/env python3
# Seeds for fuzz_virtio_pci: 12-byte steps (op, a, b, c, le64 value), see the target.
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def step(op, a=0, b=0, c=0, v=0):
    return bytes([op, a, b, c]) + struct.pack('<Q', v)


def common_wr(off, size_log2, v):
    return step(3, off, size_log2, 1, v)


bring_up = b''.join([
    common_wr(0x14, 0, 0x03),			# ACKNOWLEDGE | DRIVER
    common_wr(0x08, 2, 1),			# driver_feature_select 1
    common_wr(0x0c, 2, 1),			# VERSION_1
    common_wr(0x14, 0, 0x0b),			# FEATURES_OK
    step(5, 4, 0, 0, 0x302010),			# queue 0: size 16, areas in RAM
    common_wr(0x1c, 1, 1),			# queue_enable
    common_wr(0x14, 0, 0x0f),			# DRIVER_OK
    step(9, 0, 0, 0),				# notify queue 0
    step(4, 0, 1, 0, 0),			# notify through BAR 0
    step(7, 1, 0, 0),				# queue interrupt
    step(2, 0x00, 0, 0),			# ISR read
])
window = b''.join([
    step(6, 1, 0, 4, 4),			# cap.bar = 4
    step(6, 1, 2, 8, 0x12),			# cap.offset = num_queues
    step(6, 1, 2, 12, 2),			# cap.length = 2
    step(6, 0, 2, 16, 0),			# read pci_cfg_data
])
seeds = {
    'bring_up': bring_up,
    'window': window,
    'reset': bring_up + common_wr(0x14, 0, 0) + bring_up,
    'fail': bring_up + step(7, 0, 0, 0) + step(9, 0, 0, 0) + step(8, 1),
}
for name, data in seeds.items():
    with open(os.path.join(HERE, name), 'wb') as f:
        f.write(data)
