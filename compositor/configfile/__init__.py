"""The Python configuration file: bindings, window rules, outputs, inputs, autostart,
cosmetics and hooks in one file, reloaded live (README: "The configuration file").

- ``api``: what the file sees (``bind``, ``rule``, ``output``, ``hook``, ``cmd``...).
- ``loader``: which file, running it, errors with file and line.
- ``runtime``: :class:`~compositor.configfile.runtime.UserConfig`, made by the composition
  root: loads, applies and reloads, as a whole or not at all; the ``reload``, ``config``
  and ``config-dismiss`` commands.
- ``commands``: the window and session commands (``spawn``, ``close``, ``maximize``...)
  that bindings, ``pydrm-ctl`` and scripts share.
- ``rules``, ``outputs``, ``inputs``, ``hooks``: each part of a file at run time, with
  observers only while the file needs them.
- ``client``: the module Python scripts use to run the same commands over the control
  socket.
"""
