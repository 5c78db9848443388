using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Strait.Dispatcher.Data.Migrations
{
    /// <inheritdoc />
    public partial class DispatchFallbackEndpoint : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "fallback_endpoint_url",
                schema: "dispatch",
                table: "dispatch_queue",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "fallback_endpoint_url",
                schema: "dispatch",
                table: "dispatch_queue");
        }
    }
}
