"""What each room shows, made from the seat's view alone (tested without a server).

- ``base``: who is looking, at which moment, and the room's layout by phase;
- ``world``: the variables the seat may see, with their trends;
- ``story``: what has happened, round by round, and the announcements;
- ``actions``: a team's actions and the action form's explanations;
- ``talks``: channels, proposals with their history, agreements;
- ``desk``: the adjudicator's cases;
- ``control``: the white cell's dashboard;
- ``room``: all of them together, as the templates read them.
"""

from whitecell.web.rooms.base import PANELS, Seating, names_of
from whitecell.web.rooms.room import Room

__all__ = ["PANELS", "Room", "Seating", "names_of"]
