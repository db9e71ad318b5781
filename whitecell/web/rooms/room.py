"""A whole room: the core and its parts, each made when a template first reads it."""

from __future__ import annotations

from functools import cached_property

from whitecell.web.rooms.actions import Actions
from whitecell.web.rooms.advisors import Advisors
from whitecell.web.rooms.base import RoomCore
from whitecell.web.rooms.control import Control
from whitecell.web.rooms.desk import Desk
from whitecell.web.rooms.story import Story
from whitecell.web.rooms.talks import Talks
from whitecell.web.rooms.world import World


class Room(RoomCore):
    @cached_property
    def world(self) -> World:
        return World(self)

    @cached_property
    def acts(self) -> Actions:
        return Actions(self)

    @cached_property
    def advisors(self) -> Advisors:
        return Advisors(self)

    @cached_property
    def talks(self) -> Talks:
        return Talks(self)

    @cached_property
    def story(self) -> Story:
        return Story(self)

    @cached_property
    def desk(self) -> Desk:
        return Desk(self)

    @cached_property
    def control(self) -> Control:
        return Control(self, self.story)
