"""The scene's stacking order, bottom to top: one scene tree per layer.

``background`` and ``bottom`` hold layer-shell surfaces under the windows (wallpapers,
desktop widgets), ``views`` the windows, ``top`` panels and bars above them, ``overlay``
launchers, lock screens and region selectors above everything (sway's order), ``drag`` the
icon of a drag and drop in progress, above all (input/drag.py). Anything added
to the scene root later (the recording indicator) stacks above all of them.
"""

from __future__ import annotations

from wlroots.wlr_types import Scene, SceneNode

from compositor.ffi import ffi, lib, to_native, to_wlroots

LAYERS = ("background", "bottom", "views", "top", "overlay", "drag")


class Stacking:
    def __init__(self, scene: Scene) -> None:
        root = to_native(scene.node, "struct wlr_scene_node *")
        self.trees: dict[str, SceneNode] = {}
        for name in LAYERS:  # each new tree goes on top of the ones before
            tree = lib.wlr_scene_tree_create(root)
            if tree == ffi.NULL:
                raise MemoryError(f"cannot create the {name} scene tree")
            self.trees[name] = SceneNode(to_wlroots(tree, "struct wlr_scene_node *"))
        self.background = self.trees["background"]
        self.bottom = self.trees["bottom"]
        self.views = self.trees["views"]
        self.top = self.trees["top"]
        self.overlay = self.trees["overlay"]
        self.drag = self.trees["drag"]
